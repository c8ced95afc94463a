import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

import request from 'supertest';

import type { SyncWorker } from '../src/adapters/scheduler/sync-worker';
import type { WebhookWorker } from '../src/adapters/scheduler/webhook-worker';
import { TOKENS } from '../src/application/ports/tokens';
import { auth } from '../test/support/app';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { at, type E2E, startE2E } from '../test/support/e2e';

const CALENDARS = 40;
const CHANGES = 300;
const EVERY_MS = 100;
const FEED_EVENTS = 5_000;

/**
 * `npm run bench -- outbound`: (1) from a change in a sandbox calendar (pushed by the sandbox, synced by the
 * worker) to the `2xx` of a webhook receiver running in its own process: p50 and p99 over a stream of 300
 * changes, one every 100 ms over 40 calendars, at the default SYNC_MIN_INTERVAL_MS; (2) reading the change feed
 * over HTTP in pages of 1,000, next to reading the same interactions through `GET /api/interactions`.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const target of databaseTargets()) rows.push(await measure(target));
  process.stdout.write(
    [
      `\noutbound: change -> webhook 2xx over ${CHANGES} changes (one every ${EVERY_MS} ms, ${CALENDARS} calendars); feed of ${FEED_EVENTS * 2} changes`,
      '| database | p50 | p90 | p99 | max | delivered | feed (changes/s) | all interactions (rows/s) | ratio |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

interface Receiver {
  url: string;
  lines: AsyncIterableIterator<string>;
  stop(): Promise<void>;
}

async function startReceiver(secret: string): Promise<Receiver> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'receiver-process.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin.write(`${secret}\n`);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  return {
    url: String(first.value),
    lines,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function measure(target: DatabaseTarget): Promise<string> {
  const e = await startE2E(target, { listen: true, quiet: true });
  try {
    const stream = await streamOfChanges(e);
    const feed = await feedThroughput(e);
    const sorted = [...stream.latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(0);
    return `| ${target.name} | ${pct(0.5)} ms | ${pct(0.9)} ms | ${pct(0.99)} ms | ${sorted.at(-1)!.toFixed(0)} ms | ${sorted.length}/${CHANGES} | ${feed.feed.toFixed(0)} | ${feed.interactions.toFixed(0)} | ${(feed.feed / feed.interactions).toFixed(2)} |`;
  } finally {
    await e.stop();
  }
}

async function streamOfChanges(e: E2E): Promise<{ latencies: number[] }> {
  await request(e.t.app)
    .put('/api/accounts')
    .set(auth)
    .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }])
    .expect(200);
  const emails = Array.from({ length: CALENDARS }, (_, i) => `stream${i}@ourco.com`);
  for (const email of emails) {
    e.sandbox.addUser({ email });
    const { memberId } = await e.signIn(email);
    await e.sync(memberId);
  }
  await e.sandbox.idle();
  await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
  const created = await request(e.t.app)
    .post('/api/webhook-endpoints')
    .set(auth)
    .send({ url: 'http://127.0.0.1:9/placeholder' })
    .expect(201);
  const receiver = await startReceiver((created.body as { secret: string }).secret);
  // The endpoint was registered before the receiver's port was known: point it there.
  await e.t.db.dataSource.query('UPDATE webhook_endpoints SET url = $1', [receiver.url]);

  const syncWorker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
  const webhookWorker = e.t.container.get<WebhookWorker>(TOKENS.WebhookWorker);
  syncWorker.start();
  webhookWorker.start();
  e.sandbox.autoPush(true);
  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  const reading = (async () => {
    for await (const line of receiver.lines) {
      const { type, title } = JSON.parse(line) as { type: string; title: string | null };
      const started = title === null ? undefined : startedAt.get(title);
      if (type === 'interaction.created' && started !== undefined) {
        latencies.push(performance.now() - started);
        if (latencies.length === CHANGES) return;
      }
    }
  })();
  try {
    const begin = performance.now();
    for (let i = 0; i < CHANGES; i++) {
      const wait = begin + i * EVERY_MS - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const email = emails[i % CALENDARS]!;
      const title = `Stream ${i}`;
      startedAt.set(title, performance.now());
      e.sandbox.insertEvent(email, {
        summary: title,
        start: { dateTime: at(-1, 8 + (i % 10), Math.floor(i / 10) % 60) },
        end: { dateTime: at(-1, 9 + (i % 10)) },
        attendees: [{ email }, { email: 'tess@logo.com' }],
      });
    }
    await Promise.race([
      reading,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`only ${latencies.length} deliveries`)), 30_000),
      ),
    ]);
  } finally {
    e.sandbox.autoPush(false);
    await syncWorker.stop();
    await webhookWorker.stop();
    await receiver.stop();
  }
  return { latencies };
}

/** 5,000 meetings with two accounts each: 10,000 interactions, 10,000 changes. */
async function feedThroughput(e: E2E): Promise<{ feed: number; interactions: number }> {
  await request(e.t.app)
    .put('/api/accounts')
    .set(auth)
    .send([
      { id: 'alpha', name: 'Alpha', domains: ['alpha.example'] },
      { id: 'beta', name: 'Beta', domains: ['beta.example'] },
    ])
    .expect(200);
  const email = 'feed@ourco.com';
  e.sandbox.addUser({ email });
  for (let i = 0; i < FEED_EVENTS; i++) {
    e.sandbox.insertEvent(email, {
      summary: `Feed ${i}`,
      start: { dateTime: at(-1 - (i % 60), 8, i % 50) },
      end: { dateTime: at(-1 - (i % 60), 9, i % 50) },
      attendees: [{ email }, { email: `a${i}@alpha.example` }, { email: `b${i}@beta.example` }],
    });
  }
  const { cursor } = await changesCursorNow(e);
  const { memberId } = await e.signIn(email);
  await e.sync(memberId);

  const readAll = async (first: string, next: (body: Record<string, unknown>) => string | null) => {
    let url: string | null = first;
    let rows = 0;
    const started = performance.now();
    while (url !== null) {
      const res = await fetch(`${e.serviceUrl}${url}`, { headers: auth });
      const body = (await res.json()) as Record<string, unknown>;
      const items = (body.changes ?? body.interactions) as unknown[];
      if (items.length === 0) break;
      rows += items.length;
      url = next(body);
    }
    return rows / ((performance.now() - started) / 1000);
  };
  const feed = await readAll(`/api/changes?limit=1000&cursor=${cursor}`, (body) =>
    typeof body.nextCursor === 'string' ? `/api/changes?limit=1000&cursor=${body.nextCursor}` : null,
  );
  const interactions = await readAll('/api/interactions?limit=1000', (body) =>
    typeof body.nextCursor === 'string' ? `/api/interactions?limit=1000&cursor=${body.nextCursor}` : null,
  );
  return { feed, interactions };
}

async function changesCursorNow(e: E2E): Promise<{ cursor: string }> {
  const res = await request(e.t.app).get('/api/interactions?limit=1').set(auth).expect(200);
  return { cursor: (res.body as { changesCursor: string }).changesCursor };
}
