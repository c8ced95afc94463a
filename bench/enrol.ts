import { performance } from 'node:perf_hooks';

import request from 'supertest';

import type { SyncWorker } from '../src/adapters/scheduler/sync-worker';
import { TOKENS } from '../src/application/ports/tokens';
import { auth } from '../test/support/app';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { at, startE2E } from '../test/support/e2e';

const MEMBERS = 500;
const DOMAIN = 'bigco.example';
const ADMIN = `admin@${DOMAIN}`;
/** The default project quota, and one low enough that the budget, not the machine, sets the pace. */
const BUDGETS = [10_000, 3_000];

/**
 * `npm run bench -- enrol`: one `POST /api/members {domain}` enrols 500 Workspace users through the delegation
 * (directory read in pages of 500, a token, `calendars.get` and `events.watch` each), then the sync worker runs
 * their 500 first full syncs. Timed to the answer and to the last first sync; every Calendar API call the sandbox
 * saw is counted, with the busiest 60 s, against GOOGLE_REQUESTS_PER_MINUTE.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const target of databaseTargets())
    for (const budget of BUDGETS) rows.push(await measure(target, budget));
  process.stdout.write(
    [
      `\nenrol: ${MEMBERS} members by one domain call, then their first full syncs`,
      '| database | GOOGLE_REQUESTS_PER_MINUTE | enrol answer (s) | all first syncs done (s) | enrolled | Calendar API calls | busiest 60 s | token requests |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(target: DatabaseTarget, budget: number): Promise<string> {
  const e = await startE2E(target, {
    listen: true,
    quiet: true,
    delegation: { admin: ADMIN },
    env: { GOOGLE_REQUESTS_PER_MINUTE: String(budget), SYNC_MIN_INTERVAL_MS: '0' },
  });
  try {
    e.sandbox.addUser({ email: ADMIN, isAdmin: true });
    for (let i = 0; i < MEMBERS - 1; i++) {
      const email = `member${String(i).padStart(3, '0')}@${DOMAIN}`;
      e.sandbox.addUser({ email });
      for (let k = 0; k < 2; k++) {
        e.sandbox.insertEvent(email, {
          summary: `Meeting ${k}`,
          start: { dateTime: at(-1 - k, 9) },
          end: { dateTime: at(-1 - k, 10) },
          attendees: [{ email }, { email: 'tess@logo.com' }],
        });
      }
    }
    const worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
    worker.start();
    e.sandbox.clearRequests();
    const started = performance.now();
    const res = await request(e.t.app).post('/api/members').set(auth).send({ domain: DOMAIN }).expect(200);
    const answered = performance.now() - started;
    const enrolled = (res.body as { enrolled: unknown[] }).enrolled.length;
    for (;;) {
      const [row] = await e.t.db.dataSource.query<{ pending: number }[]>(
        `SELECT count(*)::int AS pending FROM members WHERE last_sync_at IS NULL`,
      );
      if (row!.pending === 0) break;
      if (performance.now() - started > 600_000)
        throw new Error(`${row!.pending} first syncs never finished`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const synced = performance.now() - started;
    await worker.stop();
    const calls = e.sandbox.requests
      .filter((r) => r.path.startsWith('/calendar/v3/'))
      .map((r) => r.startedAt)
      .sort((a, b) => a - b);
    let busiest = 0;
    for (let first = 0, last = 0; last < calls.length; last++) {
      while (calls[last]! - calls[first]! >= 60_000) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
    const tokens = e.sandbox.requests.filter((r) => r.path === '/token').length;
    return `| ${target.name} | ${budget} | ${(answered / 1000).toFixed(1)} | ${(synced / 1000).toFixed(1)} | ${enrolled}/${MEMBERS} | ${calls.length} | ${busiest} | ${tokens} |`;
  } finally {
    await e.stop();
  }
}
