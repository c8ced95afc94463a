import request from 'supertest';

import { HmacChannelTokens } from '../../src/adapters/crypto/hmac-channel-tokens';
import type { SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import { TOKENS } from '../../src/application/ports/tokens';
import { RenewExpiringChannels } from '../../src/application/use-cases/renew-expiring-channels.use-case';
import { auth, TEST_SECRET_KEY } from '../support/app';
import { postgresTarget } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';

const CALENDARS = 50;
const serverUrl = process.env.TEST_DATABASE_URL;
const tokens = new HmacChannelTokens(TEST_SECRET_KEY);

/**
 * Two instances of the service (two containers, HTTP servers and sync workers in this process) on one PostgreSQL
 * schema and one Google: the database alone must keep them from syncing a calendar twice at once or renewing a
 * channel twice. Needs a server (PGlite is single-instance by design): skipped without TEST_DATABASE_URL.
 */
(serverUrl ? describe : describe.skip)('two instances on one PostgreSQL', () => {
  let a: E2E;
  let b: E2E;
  const members: { email: string; memberId: string; via: E2E }[] = [];

  beforeAll(async () => {
    const env = { SYNC_MIN_INTERVAL_MS: '200', RENEW_BEFORE_SECONDS: '3600' };
    a = await startE2E(postgresTarget(serverUrl!), { listen: true, env });
    b = await startE2E(postgresTarget(serverUrl!), {
      listen: true,
      env,
      database: a.t.db,
      sharedSandbox: { sandbox: a.sandbox, sandboxUrl: a.sandboxUrl },
    });
    await request(a.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
    for (let i = 0; i < CALENDARS; i++) {
      const email = `storm${i}@ourco.com`;
      a.sandbox.addUser({ email });
      const via = i % 2 === 0 ? a : b;
      const { memberId } = await via.signIn(email);
      members.push({ email, memberId, via });
    }
    await a.sandbox.idle();
  }, 120_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const workers = () => [a, b].map((e) => e.t.container.get<SyncWorker>(TOKENS.SyncScheduler));

  it('converges every calendar under a push storm, never listing one calendar twice at once', async () => {
    a.sandbox.clearRequests();
    for (const worker of workers()) worker.start();
    try {
      for (let round = 0; round < 3; round++) {
        for (const { email } of members) {
          a.sandbox.insertEvent(email, {
            summary: `Round ${round}`,
            start: { dateTime: at(-1 - round, 9) },
            end: { dateTime: at(-1 - round, 10) },
            attendees: [{ email }, { email: 'tess@logo.com' }],
          });
        }
        // Every calendar gets 10 notifications, spread over both instances' webhooks.
        const channels = await a.t.db.dataSource.query<{ id: string; resource_id: string }[]>(
          'SELECT id, resource_id FROM channels WHERE stopped_at IS NULL',
        );
        await Promise.all(
          channels.flatMap((channel) =>
            Array.from({ length: 10 }, (_, k) =>
              request((k % 2 === 0 ? a : b).t.app)
                .post('/webhooks/google/calendar')
                .set({
                  'X-Goog-Channel-ID': channel.id,
                  'X-Goog-Channel-Token': tokens.sign(channel.id),
                  'X-Goog-Resource-ID': channel.resource_id,
                  'X-Goog-Resource-State': 'exists',
                  'X-Goog-Message-Number': String(100 + k),
                })
                .expect(200),
            ),
          ),
        );
      }
      await eventually(async () => {
        const rows = await a.t.db.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM interactions i JOIN meetings m ON m.id = i.meeting_id WHERE m.title LIKE 'Round %'`,
        );
        return rows[0]!.n === CALENDARS * 3;
      }, 60_000);
      await eventually(async () => {
        const rows = await a.t.db.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM members WHERE sync_requested_at IS NOT NULL OR sync_lease_until > now()`,
        );
        return rows[0]!.n === 0;
      }, 30_000);
    } finally {
      await Promise.all(workers().map((worker) => worker.stop()));
    }

    const lists = a.sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
    expect(lists.length).toBeGreaterThanOrEqual(CALENDARS);
    const byCalendar = new Map<string, typeof lists>();
    for (const call of lists)
      byCalendar.set(call.userEmail!, [...(byCalendar.get(call.userEmail!) ?? []), call]);
    let overlaps = 0;
    for (const calls of byCalendar.values()) {
      const sorted = [...calls].sort((x, y) => x.startedAt - y.startedAt);
      for (let i = 1; i < sorted.length; i++)
        if (sorted[i]!.startedAt < sorted[i - 1]!.finishedAt) overlaps++;
    }
    expect(overlaps).toBe(0);
    expect(byCalendar.size).toBe(CALENDARS);
  }, 120_000);

  it('renews each channel exactly once when both instances run the renewal at the same time', async () => {
    await a.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '10 minutes' WHERE stopped_at IS NULL`,
    );
    const [fromA, fromB] = await Promise.all([
      a.t.container.get(RenewExpiringChannels).execute(),
      b.t.container.get(RenewExpiringChannels).execute(),
    ]);
    expect(fromA.renewed + fromB.renewed).toBe(CALENDARS);
    const perMember = await a.t.db.dataSource.query<{ live: number; total: number }[]>(
      `SELECT count(*) FILTER (WHERE stopped_at IS NULL)::int AS live, count(*)::int AS total
       FROM channels GROUP BY member_id`,
    );
    expect(perMember).toHaveLength(CALENDARS);
    expect(perMember.every((row) => row.live === 1 && row.total === 2)).toBe(true);
    for (const { email } of members) expect(a.sandbox.channels(email)).toHaveLength(1);
  }, 60_000);
});
