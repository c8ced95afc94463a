import request from 'supertest';

import type { WebhookWorker } from '../../src/adapters/scheduler/webhook-worker';
import type { ChangeFeed } from '../../src/application/ports/change-feed.port';
import { TOKENS } from '../../src/application/ports/tokens';
import {
  DEFAULT_WEBHOOK_SETTINGS,
  type WebhookSettings,
} from '../../src/application/use-cases/deliver-webhooks.use-case';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/** Retries within milliseconds instead of seconds, so that a failing receiver recovers within the test. */
const FAST: WebhookSettings = {
  ...DEFAULT_WEBHOOK_SETTINGS,
  retryBaseMs: 20,
  retryMaxMs: 100,
  leaseMs: 5_000,
};

interface ChangeJson {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** CONTRACT.md "Interactions out": the change feed and outbound webhooks, through HTTP and a real receiver. */
describe.each(databaseTargets())('interactions out on $name', (target) => {
  let e: E2E;
  let receiver: WebhookReceiver;
  let worker: WebhookWorker;
  let n = 0;
  let me: string;
  let memberId: string;

  beforeAll(async () => {
    e = await startE2E(target, {
      configure: (container) => container.rebind(TOKENS.WebhookSettings).toConstantValue(FAST),
    });
    receiver = await startWebhookReceiver();
    worker = e.t.container.get<WebhookWorker>(TOKENS.WebhookWorker);
    worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.stop();
    await e.stop();
  });
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    receiver.received.length = 0;
    receiver.answer(200);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
      ])
      .expect(200);
    me = `out${++n}@ourco.com`;
    e.sandbox.addUser({ email: me });
    ({ memberId } = await e.signIn(me));
    await e.sync(memberId);
  });

  const register = async (url = receiver.url) =>
    (
      await request(e.t.app)
        .post('/api/webhook-endpoints')
        .set(auth)
        .send({ url, description: 'CRM' })
        .expect(201)
    ).body as { id: string; secret: string; url: string; description: string; createdAt: string };
  /**
   * Waits until every transaction running now has ended. The feed shows a change only once every older
   * transaction of the server has ended, other databases' included (other test files on the same server).
   */
  const settled = async () => {
    const query = (sql: string) =>
      e.t.db.dataSource.query<{ xid: string }[]>(sql).then((rows) => BigInt(rows[0]!.xid));
    const now = await query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid`);
    await eventually(
      async () => (await query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid`)) >= now,
    );
  };
  /** The feed from `query`'s cursor, once what was committed before the call is readable. */
  const changes = async (query = '') => {
    await settled();
    return (await request(e.t.app).get(`/api/changes${query}`).set(auth).expect(200)).body as {
      changes: ChangeJson[];
      nextCursor: string;
    };
  };
  const meeting = (summary: string, guest: string, day = -1) => ({
    summary,
    start: { dateTime: at(day, 9) },
    end: { dateTime: at(day, 10) },
    attendees: [{ email: me }, { email: guest }],
  });

  it('delivers created, updated and deleted interactions, signed, in order', async () => {
    const endpoint = await register();
    expect(endpoint).toMatchObject({ url: receiver.url, description: 'CRM' });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const event = e.sandbox.insertEvent(me, meeting('QBR', 'tess@logo.com'));
    await e.sync(memberId);
    e.sandbox.updateEvent(me, event.id, {
      summary: 'QBR, moved',
      start: { dateTime: at(-1, 11) },
      end: { dateTime: at(-1, 12) },
    });
    await e.sync(memberId);
    e.sandbox.cancelEvent(me, event.id);
    await e.sync(memberId);

    await eventually(() => receiver.accepted().length >= 3);
    const [created, updated, deleted] = receiver.accepted().map((d) => d.payload);
    expect(created).toMatchObject({ type: 'interaction.created', data: { accountId: 'logo', title: 'QBR' } });
    expect(updated).toMatchObject({
      type: 'interaction.updated',
      data: { accountId: 'logo', title: 'QBR, moved', startTime: at(-1, 11), private: false },
    });
    expect(deleted).toEqual({
      type: 'interaction.deleted',
      timestamp: expect.any(String),
      data: { id: created!.data.id, accountId: 'logo' },
    });
    expect(receiver.accepted()).toHaveLength(3);
    receiver.verifyAll(endpoint.secret);
    // The feed says the same, with the same ids.
    const feed = await changes();
    expect(feed.changes.map((c) => [c.id, c.type])).toEqual(
      receiver.accepted().map((d) => [d.id, d.payload.type]),
    );
  });

  it('sends the changes a re-match makes when accounts and contacts change', async () => {
    await register();
    e.sandbox.insertEvent(me, meeting('Intro', 'cfo@globex.example'));
    await e.sync(memberId);
    expect(await changes()).toMatchObject({ changes: [] });
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'globex', name: 'Globex', domains: ['globex.example'] }])
      .expect(200);
    await request(e.t.app).delete('/api/accounts/globex').set(auth).expect(204);
    await eventually(() => receiver.accepted().length >= 2);
    expect(receiver.accepted().map((d) => [d.payload.type, d.payload.data.accountId])).toEqual([
      ['interaction.created', 'globex'],
      ['interaction.deleted', 'globex'],
    ]);
  });

  it('writes no change for a resync that changes nothing', async () => {
    e.sandbox.insertEvent(me, meeting('QBR', 'tess@logo.com'));
    await e.sync(memberId);
    const { nextCursor } = await changes();
    await e.sync(memberId);
    await e.t.db.dataSource.query('UPDATE members SET sync_token = NULL');
    await e.sync(memberId);
    expect((await changes(`?cursor=${nextCursor}`)).changes).toEqual([]);
  });

  it('keeps every change for a receiver that fails a while, then delivers them in order, once each', async () => {
    const endpoint = await register();
    receiver.answer(503);
    for (let i = 0; i < 4; i++) {
      e.sandbox.insertEvent(
        me,
        meeting(`Meeting ${i}`, i % 2 === 0 ? 'tess@logo.com' : 'wile@acme.io', -1 - i),
      );
      await e.sync(memberId);
    }
    await eventually(() => receiver.received.length >= 3);
    // Only the head change is tried while the receiver fails: nothing skips ahead of it.
    expect(new Set(receiver.received.map((d) => d.id)).size).toBe(1);
    const deliveries = (
      await request(e.t.app).get(`/api/webhook-endpoints/${endpoint.id}/deliveries`).set(auth).expect(200)
    ).body.deliveries as { status: string; responseStatus: number; attempt: number }[];
    expect(deliveries[0]).toMatchObject({ responseStatus: 503 });
    expect(deliveries.map((d) => d.status)).toContain('failed');
    const listed = (await request(e.t.app).get('/api/webhook-endpoints').set(auth).expect(200)).body
      .endpoints;
    expect(listed).toEqual([
      expect.objectContaining({
        id: endpoint.id,
        status: 'active',
        failingSince: expect.any(String),
        pendingChanges: 4,
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);

    receiver.answer(200);
    await eventually(() => receiver.accepted().length >= 4);
    const feed = (await changes()).changes.map((c) => c.id);
    expect(receiver.accepted().map((d) => d.id)).toEqual(feed);
    expect(new Set(receiver.accepted().map((d) => d.id)).size).toBe(4);
    // Every retry of a change carried its webhook-id; the timestamps and signatures are each attempt's own.
    receiver.verifyAll(endpoint.secret);
    const after = (await request(e.t.app).get('/api/webhook-endpoints').set(auth).expect(200)).body.endpoints;
    expect(after[0]).toMatchObject({ failingSince: null, lastError: null, pendingChanges: 0 });
  });

  it('prunes no change an active endpoint has still to receive', async () => {
    const endpoint = await register();
    receiver.answer(503);
    e.sandbox.insertEvent(me, meeting('Kept', 'tess@logo.com'));
    await e.sync(memberId);
    await eventually(() => receiver.received.length >= 1);
    const feed = e.t.container.get<ChangeFeed>(TOKENS.ChangeFeed);
    await settled();
    expect(await feed.prune(new Date(Date.now() + 60_000))).toBe(0);
    receiver.answer(200);
    await eventually(() => receiver.accepted().length >= 1);
    expect(receiver.accepted().map((d) => d.payload.data.title)).toEqual(['Kept']);
    // Delivered, it may go; once the endpoint is gone, nothing holds the feed.
    e.sandbox.insertEvent(me, meeting('Undelivered', 'tess@logo.com', -2));
    await e.sync(memberId);
    receiver.answer(503);
    await request(e.t.app).delete(`/api/webhook-endpoints/${endpoint.id}`).set(auth).expect(204);
    await settled();
    expect(await feed.prune(new Date(Date.now() + 60_000))).toBe(2);
    expect((await changes()).changes).toEqual([]);
  });

  it('disables an endpoint that has failed for three days, and says so', async () => {
    const endpoint = await register();
    receiver.answer(500);
    e.sandbox.insertEvent(me, meeting('QBR', 'tess@logo.com'));
    await e.sync(memberId);
    await eventually(() => receiver.received.length >= 1);
    await e.t.db.dataSource.query(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute', next_attempt_at = now()`,
    );
    await eventually(async () => {
      const { endpoints } = (await request(e.t.app).get('/api/webhook-endpoints').set(auth)).body as {
        endpoints: { status: string }[];
      };
      return endpoints[0]?.status === 'disabled' ? endpoints : null;
    });
    const tried = receiver.received.length;
    receiver.answer(200);
    e.sandbox.insertEvent(me, meeting('Another', 'tess@logo.com', -2));
    await e.sync(memberId);
    // Retries come every 20-100 ms here: a few of their periods without one is the endpoint left alone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(tried);
    await request(e.t.app).delete(`/api/webhook-endpoints/${endpoint.id}`).set(auth).expect(204);
    await request(e.t.app).delete(`/api/webhook-endpoints/${endpoint.id}`).set(auth).expect(404);
    await request(e.t.app).get(`/api/webhook-endpoints/${endpoint.id}/deliveries`).set(auth).expect(404);
  });

  describe('the change feed', () => {
    it('pages in order, says where to go on from, and long-polls until a change comes', async () => {
      for (let i = 0; i < 3; i++) e.sandbox.insertEvent(me, meeting(`M${i}`, 'tess@logo.com', -1 - i));
      await e.sync(memberId);
      const first = await changes('?limit=2');
      expect(first.changes).toHaveLength(2);
      const second = await changes(`?limit=2&cursor=${first.nextCursor}`);
      expect(second.changes).toHaveLength(1);
      const caughtUp = await changes(`?cursor=${second.nextCursor}`);
      expect(caughtUp).toEqual({ changes: [], nextCursor: second.nextCursor });

      const waiting = request(e.t.app).get(`/api/changes?wait=10&cursor=${second.nextCursor}`).set(auth);
      const answered = waiting.then((res) => res.body as { changes: ChangeJson[] });
      e.sandbox.insertEvent(me, meeting('Late', 'wile@acme.io', -5));
      await e.sync(memberId);
      expect((await answered).changes).toEqual([
        expect.objectContaining({
          type: 'interaction.created',
          data: expect.objectContaining({ title: 'Late' }),
        }),
      ]);
    });

    it('answers 400 to a cursor that is not ours, and 410 to one older than the changes kept', async () => {
      e.sandbox.insertEvent(me, meeting('QBR', 'tess@logo.com'));
      await e.sync(memberId);
      const start = await changes('?limit=1');
      for (const cursor of ['garbage', Buffer.from('{"x":"a","s":"1"}').toString('base64url')]) {
        await request(e.t.app).get(`/api/changes?cursor=${cursor}`).set(auth).expect(400);
      }
      await request(e.t.app).get('/api/changes?wait=31').set(auth).expect(400);
      // Nothing pruned yet: the oldest position is still good.
      await changes(`?cursor=${start.nextCursor}`);
      e.sandbox.insertEvent(me, meeting('Later', 'tess@logo.com', -2));
      await e.sync(memberId);
      await settled();
      await e.t.container.get<ChangeFeed>(TOKENS.ChangeFeed).prune(new Date(Date.now() + 60_000));
      const gone = await request(e.t.app)
        .get(`/api/changes?cursor=${start.nextCursor}`)
        .set(auth)
        .expect(410);
      expect(gone.body.error).toBe('cursor_expired');
      expect(await changes()).toMatchObject({ changes: [] });
    });

    it('lists every interaction with the feed position to go on from, missing nothing made meanwhile', async () => {
      for (let i = 0; i < 3; i++) e.sandbox.insertEvent(me, meeting(`M${i}`, 'tess@logo.com', -1 - i));
      await e.sync(memberId);
      const first = (await request(e.t.app).get('/api/interactions?limit=2').set(auth).expect(200)).body;
      expect(first.interactions).toHaveLength(2);
      // A change while the pages are read.
      e.sandbox.insertEvent(me, meeting('Meanwhile', 'wile@acme.io', -9));
      await e.sync(memberId);
      const second = (
        await request(e.t.app)
          .get(`/api/interactions?limit=2&cursor=${first.nextCursor}`)
          .set(auth)
          .expect(200)
      ).body;
      expect(second.changesCursor).toBe(first.changesCursor);
      const seen = new Set([...first.interactions, ...second.interactions].map((i: { id: string }) => i.id));
      const after = await changes(`?cursor=${first.changesCursor}`);
      const meanwhile = after.changes.find((c) => c.data.title === 'Meanwhile');
      expect(meanwhile).toBeDefined();
      expect(seen.size + (seen.has(String(meanwhile!.data.id)) ? 0 : 1)).toBe(4);
    });
  });

  it('refuses endpoints that are not absolute http(s) URLs, and unknown ids', async () => {
    for (const url of ['', 'ftp://x.example/hook', '/hooks', 'not a url', 'http://']) {
      await request(e.t.app).post('/api/webhook-endpoints').set(auth).send({ url }).expect(400);
    }
    await request(e.t.app).post('/api/webhook-endpoints').set(auth).send({}).expect(400);
    await request(e.t.app).delete('/api/webhook-endpoints/nope').set(auth).expect(400);
    await request(e.t.app)
      .delete('/api/webhook-endpoints/00000000-0000-4000-8000-000000000000')
      .set(auth)
      .expect(404);
    await request(e.t.app).get('/api/webhook-endpoints').expect(401);
    expect((await request(e.t.app).get('/api/webhook-endpoints').set(auth).expect(200)).body).toEqual({
      endpoints: [],
    });
  });
});
