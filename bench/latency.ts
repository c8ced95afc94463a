import { performance } from 'node:perf_hooks';

import request from 'supertest';

import type { SyncWorker } from '../src/adapters/scheduler/sync-worker';
import { TOKENS } from '../src/application/ports/tokens';
import { auth } from '../test/support/app';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { at, type E2E, startE2E } from '../test/support/e2e';
import { pushHeaders } from '../test/support/push';

const SAMPLES = 100;
const MIN_INTERVAL_MS = 100;
const BURST = 1_000;

/**
 * `npm run bench -- latency`: (1) a change in the sandbox calendar, pushed by the sandbox, until its interaction
 * can be read from the database: p50 and p99 over 100 lone changes; (2) coalescing: 1,000 pushes for one
 * calendar within one second, and how many events.list calls they cost (SYNC_MIN_INTERVAL_MS at its default).
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const target of databaseTargets()) rows.push(await measure(target));
  process.stdout.write(
    [
      `\nlatency: push -> interaction visible over ${SAMPLES} lone changes; ${BURST} pushes in 1 s for one calendar`,
      '| database | p50 | p90 | p99 | max | events.list calls for the burst | burst answered 200 |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(target: DatabaseTarget): Promise<string> {
  const lone = await startE2E(target, {
    listen: true,
    quiet: true,
    env: { SYNC_MIN_INTERVAL_MS: String(MIN_INTERVAL_MS) },
  });
  let latencies: number[];
  try {
    latencies = await loneChanges(lone);
  } finally {
    await lone.stop();
  }
  const burst = await startE2E(target, { listen: true, quiet: true });
  let calls: number;
  let ok: number;
  try {
    ({ calls, ok } = await pushBurst(burst));
  } finally {
    await burst.stop();
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
  return `| ${target.name} | ${pct(0.5)} ms | ${pct(0.9)} ms | ${pct(0.99)} ms | ${latencies.at(-1)!.toFixed(0)} ms | ${calls} | ${ok}/${BURST} |`;
}

async function connect(e: E2E, email: string): Promise<SyncWorker> {
  await request(e.t.app)
    .put('/api/accounts')
    .set(auth)
    .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
  e.sandbox.addUser({ email });
  const { memberId } = await e.signIn(email);
  await e.sync(memberId);
  await e.sandbox.idle();
  await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
  const worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
  worker.start();
  return worker;
}

async function loneChanges(e: E2E): Promise<number[]> {
  const email = 'latency@ourco.com';
  const worker = await connect(e, email);
  e.sandbox.autoPush(true);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const title = `Change ${i}`;
      const started = performance.now();
      e.sandbox.insertEvent(email, {
        summary: title,
        start: { dateTime: at(-1, 8 + (i % 10)) },
        end: { dateTime: at(-1, 9 + (i % 10)) },
        attendees: [{ email }, { email: 'tess@logo.com' }],
      });
      for (;;) {
        const rows = await e.t.db.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM interactions i JOIN meetings m ON m.id = i.meeting_id WHERE m.title = $1`,
          [title],
        );
        if (rows[0]!.n > 0) break;
        if (performance.now() - started > 10_000) throw new Error(`${title} never became visible`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(performance.now() - started);
      // A lone change: the next one comes after the minimum interval, on an idle calendar.
      await new Promise((resolve) => setTimeout(resolve, MIN_INTERVAL_MS + 20));
    }
  } finally {
    e.sandbox.autoPush(false);
    await worker.stop();
  }
  return latencies;
}

async function pushBurst(e: E2E): Promise<{ calls: number; ok: number }> {
  const email = 'burst@ourco.com';
  const worker = await connect(e, email);
  const [channel] = e.sandbox.channels(email);
  e.sandbox.clearRequests();
  let ok = 0;
  try {
    const sends: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < BURST; i++) {
      const due = started + (i * 1000) / BURST;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      sends.push(
        fetch(`${e.serviceUrl}/webhooks/google/calendar`, {
          method: 'POST',
          headers: pushHeaders(channel!, i + 2),
        }).then((res) => {
          if (res.status === 200) ok++;
        }),
      );
    }
    await Promise.all(sends);
    // The trailing sync comes SYNC_MIN_INTERVAL_MS (1 s) after the first start; give it time to finish.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  } finally {
    await worker.stop();
  }
  return {
    calls: e.sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events')).length,
    ok,
  };
}
