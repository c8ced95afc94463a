import request from 'supertest';

import { HmacChannelTokens } from '../../src/adapters/crypto/hmac-channel-tokens';
import { createApp } from '../../src/adapters/http/app';
import { PushHolds } from '../../src/adapters/persistence/push-holds';
import type { Metrics } from '../../src/adapters/observability/metrics';
import type { SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import type { SyncQueue } from '../../src/application/ports/sync-queue.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { auth, TEST_SECRET_KEY } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, eventually, fastRetry, startE2E } from '../support/e2e';
import { pushHeaders } from '../support/push';

const WEBHOOK = '/webhooks/google/calendar';
const tokens = new HmacChannelTokens(TEST_SECRET_KEY);

interface ChannelRow {
  id: string;
  resource_id: string;
  stopped_at: Date | null;
}

describe.each(databaseTargets())('push notifications on $name', (target) => {
  let e: E2E;
  let n = 0;
  let me: string;
  let memberId: string;
  let worker: SyncWorker;

  beforeAll(async () => {
    e = await startE2E(target, {
      listen: true,
      env: { SYNC_MIN_INTERVAL_MS: '300', RENEW_BEFORE_SECONDS: '3600' },
    });
    worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
  });
  afterAll(async () => {
    await worker.stop();
    await e.stop();
  });

  beforeEach(async () => {
    await worker.stop();
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
    me = `pushed${++n}@ourco.com`;
    e.sandbox.addUser({ email: me });
    ({ memberId } = await e.signIn(me));
    await e.sync(memberId);
    await e.sandbox.idle();
    // The sync asked at sign-in ran above, directly: start each test with no request pending.
    await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
  });

  const liveChannel = async (): Promise<ChannelRow> => {
    const rows = await e.t.db.dataSource.query<ChannelRow[]>(
      'SELECT id, resource_id, stopped_at FROM channels WHERE member_id = $1 AND stopped_at IS NULL ORDER BY created_at DESC',
      [memberId],
    );
    return rows[0]!;
  };

  const push = (headers: Record<string, string>, body?: string) => {
    const req = request(e.t.app).post(WEBHOOK).set(headers);
    return body === undefined ? req.send() : req.set('Content-Type', 'application/octet-stream').send(body);
  };

  const validHeaders = (channel: ChannelRow, state = 'exists'): Record<string, string> => ({
    ...pushHeaders(
      { id: channel.id, resourceId: channel.resource_id, token: tokens.sign(channel.id) },
      7,
      state,
    ),
    'X-Goog-Resource-URI': 'https://www.googleapis.com/calendar/v3/calendars/primary/events?alt=json',
    'X-Goog-Channel-Expiration': 'Tue, 01 Dec 2026 10:00:00 GMT',
  });

  const requested = async () =>
    (
      await e.t.db.dataSource.query<{ sync_requested_at: Date | null }[]>(
        'SELECT sync_requested_at FROM members WHERE id = $1',
        [memberId],
      )
    )[0]!.sync_requested_at;

  it('opens a channel at sign-in with an HMAC token, the webhook address and the TTL asked', async () => {
    const channel = await liveChannel();
    const [sandboxChannel] = e.sandbox.channels(me);
    expect(sandboxChannel).toMatchObject({
      id: channel.id,
      resourceId: channel.resource_id,
      address: `${e.serviceUrl}${WEBHOOK}`,
      token: tokens.sign(channel.id),
    });
    expect(sandboxChannel!.expiration).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    // The handshake Google sends first was accepted.
    expect(
      e.sandbox.pushResults.find((r) => r.channelId === channel.id && r.resourceState === 'sync')?.status,
    ).toBe(200);
  });

  it('marks the calendar durably before answering 200, and not for the sync handshake', async () => {
    const channel = await liveChannel();
    await push(validHeaders(channel, 'sync')).expect(200);
    expect(await requested()).toBeNull();
    await push(validHeaders(channel, 'exists')).expect(200);
    expect(await requested()).not.toBeNull();
  });

  it.each<[string, (h: Record<string, string>) => Record<string, string | undefined>, number]>([
    ['no headers at all', () => ({}), 400],
    ['a missing token', (h) => ({ ...h, 'X-Goog-Channel-Token': undefined }), 400],
    ['a malformed channel id', (h) => ({ ...h, 'X-Goog-Channel-ID': 'not-a-uuid' }), 400],
    ['an unknown resource state', (h) => ({ ...h, 'X-Goog-Resource-State': 'changed' }), 400],
    ['a malformed message number', (h) => ({ ...h, 'X-Goog-Message-Number': '-1' }), 400],
    ['a forged token', (h) => ({ ...h, 'X-Goog-Channel-Token': 'forged' }), 401],
    [
      'the token of another channel',
      (h) => ({ ...h, 'X-Goog-Channel-Token': tokens.sign(crypto.randomUUID()) }),
      401,
    ],
    ['a wrong resource id', (h) => ({ ...h, 'X-Goog-Resource-ID': 'someone-else' }), 404],
  ])('answers %s with a 4xx and changes nothing', async (_case, tamper, status) => {
    const headers = Object.fromEntries(
      Object.entries(tamper(validHeaders(await liveChannel()))).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    await push(headers).expect(status);
    expect(await requested()).toBeNull();
  });

  it('answers 404 for an unknown channel with a valid-looking token', async () => {
    const id = crypto.randomUUID();
    const channel = await liveChannel();
    await push({
      ...validHeaders(channel),
      'X-Goog-Channel-ID': id,
      'X-Goog-Channel-Token': tokens.sign(id),
    }).expect(404);
    expect(await requested()).toBeNull();
  });

  it('refuses a body over 64 KB with 413 and ignores a small one', async () => {
    const channel = await liveChannel();
    await push(validHeaders(channel), 'x'.repeat(65 * 1024)).expect(413);
    expect(await requested()).toBeNull();
    await push(validHeaders(channel), 'ignored').expect(200);
    // Both answers are measured like any other, the 413 included (the error handler sends it).
    const text = (await request(e.t.app).get('/metrics').expect(200)).text;
    for (const status of ['413', '200'])
      expect(text).toMatch(
        new RegExp(`http_request_duration_seconds_count\\{[^}]*route="${WEBHOOK}"[^}]*status="${status}"`),
      );
  });

  it('answers a push without a body ahead of express, and one with a body through express', async () => {
    let handle: jest.SpiedFunction<(...args: unknown[]) => void> | undefined;
    const listener = createApp(e.t.container, (app) => {
      handle = jest.spyOn(app as unknown as { handle(...args: unknown[]): void }, 'handle');
    });
    const channel = await liveChannel();
    await request(listener).post(WEBHOOK).set(validHeaders(channel)).send().expect(200);
    await request(listener).post(WEBHOOK).set(validHeaders(channel, 'sync')).expect(200);
    await request(listener)
      .post(WEBHOOK)
      .set({ ...validHeaders(channel), 'X-Goog-Channel-Token': 'forged' })
      .expect(401);
    expect(handle).not.toHaveBeenCalled();
    await request(listener)
      .post(WEBHOOK)
      .set(validHeaders(channel))
      .set('Content-Type', 'application/octet-stream')
      .send('ignored')
      .expect(200);
    await request(listener).post(`${WEBHOOK}?ignored=1`).set(validHeaders(channel)).send().expect(200);
    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('answers 500 to a push whose handling fails after the database, and the next push as usual', async () => {
    const metrics = e.t.container.get<Metrics>(TOKENS.Metrics);
    const broken = () => {
      throw new Error('metrics registry broken');
    };
    const inc = jest
      .spyOn(metrics.pushNotifications, 'inc')
      .mockImplementationOnce(broken)
      .mockImplementationOnce(broken);
    const channel = await liveChannel();
    try {
      await push(validHeaders(channel)).expect(500);
      await push(validHeaders(channel), 'with a body').expect(500);
      await push(validHeaders(channel)).expect(200);
    } finally {
      inc.mockRestore();
    }
    expect(e.t.logger.entries.filter((l) => l.message === 'push notification not answered')).toHaveLength(2);
    // Measured like any other answer, the 500s included.
    const text = (await request(e.t.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(
      new RegExp(`http_request_duration_seconds_count\\{[^}]*route="${WEBHOOK}"[^}]*status="500"\\} 2`),
    );
  });

  it('answers 503 when the database is unreachable, so Google retries', async () => {
    const channel = await liveChannel();
    const manager = e.t.db.dataSource.manager;
    const query = jest.spyOn(manager, 'query').mockRejectedValue(new Error('connection terminated'));
    try {
      await push(validHeaders(channel)).expect(503);
    } finally {
      query.mockRestore();
    }
    expect(await requested()).toBeNull();
  });

  it('turns a change in the calendar into an interaction through push alone', async () => {
    worker.start();
    e.sandbox.autoPush(true);
    try {
      const started = Date.now();
      e.sandbox.insertEvent(me, {
        summary: 'Pushed',
        start: { dateTime: at(-1, 10) },
        end: { dateTime: at(-1, 11) },
        attendees: [{ email: me }, { email: 'tess@logo.com' }],
      });
      const found = await eventually(async () =>
        (await e.interactions('logo')).find((i) => i.title === 'Pushed'),
      );
      expect(found).toBeDefined();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      e.sandbox.autoPush(false);
      await worker.stop();
    }
  });

  it('lists a first sync while Google answers the watch, then catches up on what changed before the channel', async () => {
    const newcomer = `newcomer${n}@ourco.com`;
    e.sandbox.addUser({ email: newcomer });
    e.sandbox.insertEvent(newcomer, {
      summary: 'Kickoff',
      start: { dateTime: at(-2, 10) },
      end: { dateTime: at(-2, 11) },
      attendees: [{ email: newcomer }, { email: 'tess@logo.com' }],
    });
    const titles = async () =>
      (await e.interactions('logo'))
        .filter((i) => i.participants.some((p) => p.email === newcomer))
        .map((i) => i.title)
        .sort();
    worker.start();
    // Google pushes a change to the calendar's live channels only: the newcomer has none while the watch waits.
    e.sandbox.autoPush(true);
    try {
      const watch = e.sandbox.hold(/\/events\/watch/);
      const { agent, callbackPath } = await e.consent(newcomer);
      const signedIn = agent.get(callbackPath).then((res) => res);
      await watch.reached;
      // The full sync does not wait for the watch's answer: it lists, and ends, meanwhile.
      await eventually(async () => (await titles()).includes('Kickoff'));
      e.sandbox.insertEvent(newcomer, {
        summary: 'Follow-up',
        start: { dateTime: at(-1, 10) },
        end: { dateTime: at(-1, 11) },
        attendees: [{ email: newcomer }, { email: 'tess@logo.com' }],
      });
      const from = e.sandbox.requests.length;
      watch.release();
      expect((await signedIn).status).toBe(302);
      // No push tells of that change: once the channel is open, one incremental sync lists it.
      await eventually(async () => (await titles()).length === 2);
      expect(await titles()).toEqual(['Follow-up', 'Kickoff']);
      await e.sandbox.idle();
      const lists = e.sandbox.requests
        .slice(from)
        .filter((r) => r.method === 'GET' && r.path.endsWith('/events') && r.userEmail === newcomer);
      expect(lists.map((r) => typeof r.query.syncToken)).toEqual(['string']);
    } finally {
      e.sandbox.autoPush(false);
      await worker.stop();
    }
  });

  describe('a calendar marked for a sync that cannot start yet', () => {
    /** Marked during a sync whose successor may start only a minute after it: pushes are then held. */
    const holdPushes = async (channel: ChannelRow) => {
      const queue = e.t.container.get<SyncQueue>(TOKENS.SyncQueue);
      // As if the last sync had ended a while ago.
      await e.t.db.dataSource.query(
        'UPDATE members SET sync_lease_owner = NULL, sync_lease_until = NULL, next_sync_at = NULL WHERE id = $1',
        [memberId],
      );
      await queue.request(memberId, false);
      expect(await queue.claim(crypto.randomUUID(), 60_000, 60_000)).not.toBeNull();
      await push(validHeaders(channel)).expect(200);
      expect(e.t.container.get(PushHolds).size).toBe(1);
    };
    /** Every statement fails from now on: what is answered 200 was answered without the database. */
    const withoutDatabase = async (work: () => Promise<void>) => {
      const query = jest.spyOn(e.t.db.dataSource.manager, 'query').mockRejectedValue(new Error('down'));
      try {
        await work();
      } finally {
        query.mockRestore();
      }
    };

    it('answers its pushes without a statement: the stored mark already covers them', async () => {
      const channel = await liveChannel();
      await holdPushes(channel);
      await withoutDatabase(async () => {
        await push(validHeaders(channel)).expect(200);
        await push(validHeaders(channel, 'sync')).expect(200);
        // Not the channel's resource, token or id: asked, and refused as ever.
        await push({ ...validHeaders(channel), 'X-Goog-Resource-ID': 'someone-else' }).expect(503);
        await push({ ...validHeaders(channel), 'X-Goog-Channel-Token': 'forged' }).expect(401);
      });
    });

    it('gives 4xx to a stopped channel and a disconnected member at once', async () => {
      const old = await liveChannel();
      await e.t.db.dataSource.query(
        `UPDATE channels SET expires_at = now() + interval '10 minutes' WHERE id = $1`,
        [old.id],
      );
      await holdPushes(old);
      expect((await request(e.t.app).post('/api/channels/renew').set(auth).expect(200)).body).toEqual({
        renewed: 1,
        failed: 0,
      });
      await push(validHeaders(old)).expect(404);
      const fresh = await liveChannel();
      await holdPushes(fresh);
      await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
      await push(validHeaders(fresh)).expect(404);
    });

    it('asks the database again once it lost a connection, and answers 503 while it is away', async () => {
      const channel = await liveChannel();
      await holdPushes(channel);
      const pool = (
        e.t.db.dataSource.driver as unknown as { master: { emit(event: string, error: Error): void } }
      ).master;
      pool.emit('error', new Error('terminating connection due to administrator command'));
      await withoutDatabase(async () => {
        await push(validHeaders(channel)).expect(503);
      });
      await push(validHeaders(channel)).expect(200);
    });
  });

  it('coalesces 200 pushes for one calendar into a few events.list calls', async () => {
    const channel = await liveChannel();
    worker.start();
    try {
      e.sandbox.clearRequests();
      await Promise.all(Array.from({ length: 200 }, () => push(validHeaders(channel)).expect(200)));
      await eventually(async () => (await requested()) === null);
      // Let the trailing sync (SYNC_MIN_INTERVAL_MS after the first start) run and finish.
      await new Promise((resolve) => setTimeout(resolve, 700));
      await eventually(async () => (await requested()) === null);
      const lists = e.sandbox.requests.filter((r) => r.path.endsWith('/events') && r.method === 'GET');
      expect(lists.length).toBeGreaterThanOrEqual(1);
      expect(lists.length).toBeLessThanOrEqual(5);
    } finally {
      await worker.stop();
    }
  });

  it('renews: the new channel first, then the old one stopped; the old one gets 4xx from then on', async () => {
    const old = await liveChannel();
    // RENEW_BEFORE_SECONDS is an hour here; make the channel expire within it.
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '10 minutes' WHERE id = $1`,
      [old.id],
    );
    const res = await request(e.t.app).post('/api/channels/renew').set(auth).expect(200);
    expect(res.body).toEqual({ renewed: 1, failed: 0 });
    const fresh = await liveChannel();
    expect(fresh.id).not.toBe(old.id);
    expect(e.sandbox.channels(me).map((c) => c.id)).toEqual([fresh.id]);
    await push(validHeaders(old)).expect(404);
    await push(validHeaders(fresh)).expect(200);
    expect((await request(e.t.app).post('/api/channels/renew').set(auth).expect(200)).body).toEqual({
      renewed: 0,
      failed: 0,
    });
  });

  it('syncs once a renewal opens a channel for a calendar whose channel had lapsed, and only then', async () => {
    // A routine renewal: the old channel was live until the new one opened, so nothing was missed.
    const old = await liveChannel();
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '10 minutes' WHERE id = $1`,
      [old.id],
    );
    await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 1, failed: 0 });
    expect(await requested()).toBeNull();

    // The channel lapsed (the service was down past its expiry): a change meanwhile was pushed to nobody.
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() - interval '1 minute' WHERE id = $1`,
      [(await liveChannel()).id],
    );
    e.sandbox.insertEvent(me, {
      summary: 'While unwatched',
      start: { dateTime: at(-1, 14) },
      end: { dateTime: at(-1, 15) },
      attendees: [{ email: me }, { email: 'tess@logo.com' }],
    });
    await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 1, failed: 0 });
    expect(await requested()).not.toBeNull();
    worker.start();
    try {
      await eventually(async () => (await e.interactions('logo')).some((i) => i.title === 'While unwatched'));
    } finally {
      await worker.stop();
    }
  });

  it('keeps a channel whose stop failed and stops it on the next run', async () => {
    const old = await liveChannel();
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '10 minutes' WHERE id = $1`,
      [old.id],
    );
    // As many failures as the retry policy makes attempts: this run gives up, the next one succeeds.
    e.sandbox.injectFault({ status: 503, times: fastRetry.attempts, pathPattern: /channels\/stop/ });
    await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 1, failed: 0 });
    const [orphan] = await e.t.db.dataSource.query<{ stopped_at: Date | null; stop_error: string | null }[]>(
      'SELECT stopped_at, stop_error FROM channels WHERE id = $1',
      [old.id],
    );
    expect(orphan).toMatchObject({ stopped_at: null, stop_error: expect.stringMatching(/Google failed/) });
    // Both deliver until the old one is stopped.
    await push(validHeaders(old)).expect(200);
    // Yet only the new one is the member's channel: its expiry is the connection's, and the old one, due to expire
    // in minutes, is no channel about to lapse.
    const fresh = await liveChannel();
    const [freshRow] = await e.t.db.dataSource.query<{ expires_at: Date }[]>(
      'SELECT expires_at FROM channels WHERE id = $1',
      [fresh.id],
    );
    const freshExpiry = freshRow!.expires_at;
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '2 days' WHERE id = $1`,
      [fresh.id],
    );
    expect((await request(e.t.app).get('/metrics').expect(200)).text).toMatch(
      /channels_expiring_within_24h 0/,
    );
    await e.t.db.dataSource.query(`UPDATE channels SET expires_at = $2 WHERE id = $1`, [
      fresh.id,
      freshExpiry,
    ]);
    // Even were the replaced one to outlast it.
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '30 days' WHERE id = $1`,
      [old.id],
    );
    const { connections } = (await request(e.t.app).get('/api/connections').set(auth).expect(200)).body as {
      connections: { memberId: string; channelExpiresAt: string | null }[];
    };
    expect(connections.find((c) => c.memberId === memberId)?.channelExpiresAt).toBe(
      freshExpiry.toISOString(),
    );

    await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 0, failed: 0 });
    const [stopped] = await e.t.db.dataSource.query<{ stopped_at: Date | null }[]>(
      'SELECT stopped_at FROM channels WHERE id = $1',
      [old.id],
    );
    expect(stopped!.stopped_at).not.toBeNull();
    expect(e.sandbox.channels(me)).toHaveLength(1);
    await push(validHeaders(old)).expect(404);
  });

  it('exposes push, sync and channel metrics', async () => {
    const channel = await liveChannel();
    await push(validHeaders(channel)).expect(200);
    await push({ ...validHeaders(channel), 'X-Goog-Channel-Token': 'forged' }).expect(401);
    const text = (await request(e.t.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/push_notifications_total\{state="exists",outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/push_notifications_total\{state="exists",outcome="bad_token"\} [1-9]/);
    expect(text).toMatch(/sync_queue_depth 1/);
    expect(text).toMatch(/channels_expiring_within_24h 0/);
  });
});
