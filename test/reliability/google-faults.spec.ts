import request from 'supertest';

import type { Metrics } from '../../src/adapters/observability/metrics';
import { DEFAULT_SYNC_WORKER_OPTIONS, SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import type { SyncQueue } from '../../src/application/ports/sync-queue.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { SyncCalendar } from '../../src/application/use-cases/sync-calendar.use-case';
import type { Logger } from '../../src/application/ports/logger.port';
import { seededRandom } from '../../sandbox/random';
import { googleRetryPolicy } from '../../src/container';
import { auth } from '../support/app';
import { databaseTargets, embeddedTarget } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';
import { busiestWindow } from '../support/windows';

const MEMBERS = 6;
const EVENTS_PER_MEMBER = 30;
const STORM_MS = 6_000;

interface Tracked {
  calendar: string;
  title: string;
  attendees: string[];
  live: boolean;
}

/**
 * A storm of Google faults while calendars change and Google pushes: 30% of Calendar API calls fail with 403
 * rateLimitExceeded / userRateLimitExceeded, 429, 500 or 503, 15% answer 1.5 s late, and sync tokens are
 * invalidated (410) again and again. Once it passes, every account's interactions are exactly those of the
 * calendars' final state, and the backoffs are there in the metrics.
 */
describe.each(databaseTargets())('a storm of Google faults on $name', (target) => {
  let e: E2E;
  let worker: SyncWorker;
  const random = seededRandom(target.name === 'embedded' ? 11 : 23);
  const tracked = new Map<string, Tracked>();
  const members = Array.from({ length: MEMBERS }, (_, i) => `storm${i}@ourco.com`);

  beforeAll(async () => {
    e = await startE2E(target, {
      listen: true,
      quiet: true,
      env: { SYNC_MIN_INTERVAL_MS: '200' },
      // The real retry policy and worker, with their waits shortened: Google's backoff from 0.5 s doubling to 32 s,
      // to 10 ms doubling to 200 ms; the worker's after a failed sync from 2 s doubling to 5 min, to 100 ms to 1 s.
      configure: (container) => {
        const metrics = container.get<Metrics>(TOKENS.Metrics);
        container
          .rebind(TOKENS.RetryPolicy)
          .toConstantValue(googleRetryPolicy(metrics, { attempts: 6, baseDelayMs: 10, maxDelayMs: 200 }));
        container
          .rebind(TOKENS.SyncScheduler)
          .toResolvedValue(
            (queue: SyncQueue, sync: SyncCalendar, logger: Logger) =>
              new SyncWorker(
                queue,
                sync,
                logger,
                { ...DEFAULT_SYNC_WORKER_OPTIONS, retryBaseMs: 100, retryMaxMs: 1_000, minIntervalMs: 200 },
                metrics,
              ),
            [TOKENS.SyncQueue, SyncCalendar, TOKENS.Logger],
          );
      },
    });
    worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
      ])
      .expect(200);
  }, 30_000);
  afterAll(async () => {
    e.sandbox.stopStorm();
    e.sandbox.autoPush(false);
    await worker.stop();
    await e.stop();
  });

  const customers = () => (random() < 0.5 ? ['tess@logo.com'] : ['ann@acme.io', 'bob@logo.com']);

  function insert(calendar: string, title: string): void {
    const attendees = customers();
    const day = -1 - Math.floor(random() * 20);
    const event = e.sandbox.insertEvent(calendar, {
      summary: title,
      start: { dateTime: at(day, 9 + Math.floor(random() * 8)) },
      end: { dateTime: at(day, 18) },
      attendees: [{ email: calendar, self: true, organizer: true }, ...attendees.map((email) => ({ email }))],
    });
    tracked.set(event.id, { calendar, title, attendees, live: true });
  }

  function change(step: number): void {
    const calendar = members[Math.floor(random() * members.length)]!;
    const mine = [...tracked.entries()].filter(([, t]) => t.calendar === calendar && t.live);
    const roll = random();
    if (roll < 0.4 || mine.length === 0) {
      insert(calendar, `new ${step} of ${calendar}`);
      return;
    }
    const [eventId, t] = mine[Math.floor(random() * mine.length)]!;
    if (roll < 0.7) {
      e.sandbox.cancelEvent(calendar, eventId);
      t.live = false;
    } else {
      const attendees = customers();
      t.title = `moved ${step} of ${calendar}`;
      t.attendees = attendees;
      const day = -1 - Math.floor(random() * 20);
      e.sandbox.updateEvent(calendar, eventId, {
        summary: t.title,
        start: { dateTime: at(day, 7) },
        end: { dateTime: at(day, 8) },
        attendees: [
          { email: calendar, self: true, organizer: true },
          ...attendees.map((email) => ({ email })),
        ],
      });
    }
  }

  const expectedTitles = (domain: string) =>
    [...tracked.values()]
      .filter((t) => t.live && t.attendees.some((email) => email.endsWith(`@${domain}`)))
      .map((t) => t.title)
      .sort();

  async function storedTitles(accountId: string): Promise<string[]> {
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(e.t.app)
        .get(`/api/accounts/${accountId}/interactions?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
        .set(auth)
        .expect(200);
      const body = res.body as { interactions: { title: string }[]; nextCursor: string | null };
      titles.push(...body.interactions.map((i) => i.title));
      cursor = body.nextCursor;
    } while (cursor !== null);
    return titles.sort();
  }

  it('converges to exactly the calendars’ final state, with the backoffs in the metrics', async () => {
    for (const member of members) {
      e.sandbox.addUser({ email: member });
      for (let i = 0; i < EVENTS_PER_MEMBER; i++) insert(member, `first ${i} of ${member}`);
      await e.signIn(member);
    }
    worker.start();
    e.sandbox.autoPush(true);
    e.sandbox.startStorm({
      failureRate: 0.3,
      faults: [
        { status: 403, reason: 'rateLimitExceeded' },
        { status: 403, reason: 'userRateLimitExceeded' },
        { status: 429 },
        { status: 500 },
        { status: 503 },
      ],
      slowRate: 0.15,
      slowMs: 1_500,
      seed: target.name === 'embedded' ? 5 : 9,
    });
    const stormEnds = Date.now() + STORM_MS;
    for (let step = 0; Date.now() < stormEnds; step++) {
      change(step);
      // Every few changes a calendar's sync tokens die: its next incremental sync gets 410 and syncs in full.
      if (step % 7 === 3) e.sandbox.invalidateSyncTokens(members[step % members.length]!);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    e.sandbox.stopStorm();
    const stormOver = Date.now();

    const expected = { logo: expectedTitles('logo.com'), acme: expectedTitles('acme.io') };
    await eventually(async () => {
      const stored = { logo: await storedTitles('logo'), acme: await storedTitles('acme') };
      return JSON.stringify(stored) === JSON.stringify(expected) ? stored : undefined;
    }, 45_000);
    const converged = Date.now();
    expect({ logo: await storedTitles('logo'), acme: await storedTitles('acme') }).toEqual(expected);
    expect(expected.logo.length).toBeGreaterThan(MEMBERS * EVENTS_PER_MEMBER * 0.4);

    // Each fault kind happened, and slow answers too; the metrics count exactly what Google answered.
    const lists = e.sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
    const answered = (...codes: number[]) => lists.filter((r) => codes.includes(r.status)).length;
    for (const status of [403, 429, 500, 503, 410]) expect(answered(status)).toBeGreaterThan(0);
    expect(lists.some((r) => r.finishedAt - r.startedAt >= 1_500)).toBe(true);

    const metrics = (await request(e.t.app).get('/metrics').expect(200)).text;
    const value = (pattern: RegExp) =>
      [...metrics.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
    const listed = (outcome: string) =>
      value(new RegExp(`^google_requests_total\\{call="events.list",outcome="${outcome}"\\} (\\d+)`, 'gm'));
    expect(listed('rate_limited')).toBe(answered(403, 429));
    expect(listed('google_unavailable')).toBe(answered(500, 503));
    expect(listed('sync_token_expired')).toBe(answered(410));
    expect(listed('ok')).toBe(answered(200));
    // Every retryable failure but a call's last is a backoff (calls.stop and watch included).
    const retryable = value(
      /^google_requests_total\{[^}]*outcome="(?:rate_limited|google_unavailable)"\} (\d+)/gm,
    );
    const backoffs = value(/^google_backoffs_total (\d+)/gm);
    expect(backoffs).toBeGreaterThan(0);
    expect(backoffs).toBeLessThanOrEqual(retryable);
    const fullSyncs = value(/^calendar_syncs_total\{kind="full",outcome="synced"\} (\d+)/gm);
    expect(fullSyncs).toBeGreaterThan(MEMBERS);
    process.stdout.write(
      `storm figures (${target.name}): ${JSON.stringify({
        eventsListCalls: lists.length,
        answered: Object.fromEntries([200, 403, 429, 500, 503, 410].map((code) => [code, answered(code)])),
        slowAnswers: lists.filter((r) => r.finishedAt - r.startedAt >= 1_500).length,
        backoffs,
        fullSyncs,
        convergedAfterStormMs: converged - stormOver,
      })}\n`,
    );
  }, 90_000);
});

/** GOOGLE_REQUESTS_PER_MINUTE reaches every Calendar API call: sign-in, the sync's pages and the watch. */
describe('the Google call budget in the service', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E(embeddedTarget, { quiet: true, env: { GOOGLE_REQUESTS_PER_MINUTE: '120' } });
  });
  afterAll(() => e.stop());

  it('paces calls at the configured rate once its burst is spent', async () => {
    const member = 'paced@ourco.com';
    e.sandbox.addUser({ email: member });
    for (let i = 0; i < 1_200; i++) {
      e.sandbox.insertEvent(member, {
        summary: `E${i}`,
        start: { dateTime: at(-2, 9) },
        end: { dateTime: at(-2, 10) },
      });
    }
    e.sandbox.clearRequests();
    await e.signIn(member);
    await e.sync((await e.t.db.dataSource.query<{ id: string }[]>('SELECT id FROM members'))[0]!.id);
    const starts = e.sandbox.requests
      .filter((r) => r.path.startsWith('/calendar/v3/'))
      .map((r) => r.startedAt)
      .sort((a, b) => a - b);
    // calendars.get, three pages, the watch (3 more pages when sync runs again): 120 per minute is a burst of 2,
    // then one call every 60,000 / 118 ms.
    expect(starts.length).toBeGreaterThanOrEqual(5);
    const spacing = 60_000 / 118;
    // After the burst each call waits for its slot: n calls span at least n - 2 slots...
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThan((starts.length - 2) * spacing - 50);
    // ... and no 2 s window holds more than (2,000 + one slot of burst allowance) / spacing + 1 calls.
    expect(busiestWindow(starts, 2_000 - 50)).toBeLessThanOrEqual(
      Math.floor((2_000 + spacing) / spacing) + 1,
    );
    const metrics = (await request(e.t.app).get('/metrics').expect(200)).text;
    expect(Number(/^google_budget_wait_seconds_sum (\S+)/m.exec(metrics)![1])).toBeGreaterThan(1);
  }, 30_000);
});
