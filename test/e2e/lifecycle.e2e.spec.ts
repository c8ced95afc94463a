import { randomUUID } from 'node:crypto';

import request from 'supertest';

import { AesGcmTokenCipher } from '../../src/adapters/crypto/aes-gcm-token-cipher';
import { TypeOrmSyncQueue } from '../../src/adapters/persistence/typeorm-sync-queue';
import type { GoogleCredentials } from '../../src/application/ports/calendar-gateway.port';
import { CheckStoredCredentials } from '../../src/application/use-cases/check-stored-credentials.use-case';
import { SyncCalendar } from '../../src/application/use-cases/sync-calendar.use-case';
import { RECONNECT_REASON_TEXT } from '../../src/domain/member-connection';
import { auth, TEST_SECRET_KEY } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';
import { pushHeaders } from '../support/push';

/** CONTRACT.md "Lifecycle": Disconnect wins, unreadable credentials, stalled workers. */
describe.each(databaseTargets())('a member connection’s lifecycle on $name', (target) => {
  let e: E2E;
  let n = 0;
  let me: string;
  let memberId: string;
  let agent: Awaited<ReturnType<E2E['signIn']>>['agent'];

  beforeAll(async () => {
    e = await startE2E(target, { listen: true });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
    me = `life${++n}@ourco.com`;
    e.sandbox.addUser({ email: me });
    e.sandbox.insertEvent(me, {
      summary: 'QBR',
      start: { dateTime: at(-1, 9) },
      end: { dateTime: at(-1, 10) },
      attendees: [{ email: me }, { email: 'tess@logo.com' }],
    });
    ({ memberId, agent } = await e.signIn(me));
    await e.sync(memberId);
  });

  const member = async () =>
    (
      await e.t.db.dataSource.query<
        { status: string; credentials: Buffer | null; sync_token: string | null; last_error: string | null }[]
      >('SELECT status, credentials, sync_token, last_error FROM members WHERE id = $1', [memberId])
    )[0]!;
  const liveChannels = () =>
    e.t.db.dataSource.query<{ id: string; resource_id: string }[]>(
      'SELECT id, resource_id FROM channels WHERE member_id = $1 AND stopped_at IS NULL AND expires_at > now()',
      [memberId],
    );
  const connection = async () => {
    const res = await request(e.t.app).get('/api/connections').set(auth).expect(200);
    const { connections } = res.body as { connections: Record<string, unknown>[] };
    return connections.find((c) => c.memberId === memberId)!;
  };

  describe('Disconnect wins', () => {
    it('over a sync in flight that refreshed the access token', async () => {
      e.sandbox.expireAccessTokens(me);
      const listing = e.sandbox.hold(/\/events\?/);
      const sync = e.sync(memberId);
      await listing.reached; // the client refreshed the token and now waits for Google's answer
      await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
      listing.release();
      await expect(sync).resolves.toMatchObject({ outcome: 'skipped' });
      expect(await member()).toMatchObject({ status: 'disconnected', credentials: null, sync_token: null });
      expect(await liveChannels()).toEqual([]);
    });

    it('over a renewal opening a channel: the new channel is refused', async () => {
      await e.t.db.dataSource.query(
        `UPDATE channels SET expires_at = now() + interval '1 minute' WHERE member_id = $1`,
        [memberId],
      );
      const watch = e.sandbox.hold(/\/events\/watch/);
      const renewal = request(e.t.app)
        .post('/api/channels/renew')
        .set(auth)
        .then((res) => res);
      await watch.reached;
      await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
      watch.release();
      expect((await renewal).body).toEqual({ renewed: 0, failed: 0 });
      expect(await liveChannels()).toEqual([]);
      expect(await member()).toMatchObject({ status: 'disconnected', credentials: null });
      // Whatever channel Google still has for the member is refused by the webhook.
      for (const channel of e.sandbox.channels(me)) {
        await request(e.t.app).post('/webhooks/google/calendar').set(pushHeaders(channel, 2)).expect(404);
      }
    });
  });

  describe('stored credentials that no longer decrypt (SECRET_KEY changed)', () => {
    beforeEach(async () => {
      const foreign = new AesGcmTokenCipher(`${TEST_SECRET_KEY}-but-another-one`);
      const credentials: GoogleCredentials = {
        accessToken: 'a',
        refreshToken: 'r',
        expiryDate: 1,
        scope: null,
      };
      await e.t.db.dataSource.query('UPDATE members SET credentials = $2 WHERE id = $1', [
        memberId,
        Buffer.from(foreign.encrypt(JSON.stringify(credentials), memberId)),
      ]);
    });

    it('show the member needs_reconnect with that reason, at start and at the next sync; never a 500', async () => {
      expect(await e.t.container.get(CheckStoredCredentials).execute()).toEqual({
        unreadable: 1,
        undelegated: 0,
      });
      expect(await connection()).toMatchObject({
        status: 'needs_reconnect',
        lastError: RECONNECT_REASON_TEXT.credentials_unreadable,
      });
      await e.t.db.dataSource.query(`UPDATE members SET status = 'active' WHERE id = $1`, [memberId]);
      await expect(e.sync(memberId)).resolves.toEqual({ outcome: 'needs_reconnect' });
      expect((await connection()).status).toBe('needs_reconnect');
      const reconnect = await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth);
      expect(reconnect.status).toBe(409);
      await request(e.t.app).post(`/api/connections/${memberId}/resync`).set(auth).expect(409);
      expect((await agent.get('/profile').expect(200)).text).toContain('cannot be decrypted');
    });

    it('are replaced by signing in again', async () => {
      await e.signIn(me);
      expect(await connection()).toMatchObject({ status: 'active', lastError: null });
      await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'synced' });
    });

    it('do not stop a Disconnect, from the API or from My Profile', async () => {
      await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
      expect(await member()).toMatchObject({ status: 'disconnected', credentials: null });
      const { agent: again } = await e.signIn(me);
      await e.t.db.dataSource.query('UPDATE members SET credentials = $2 WHERE id = $1', [
        memberId,
        Buffer.from(new AesGcmTokenCipher(`${TEST_SECRET_KEY}-x`).encrypt('{}', memberId)),
      ]);
      const csrf = /name="csrf" value="([^"]+)"/.exec((await again.get('/profile')).text)![1]!;
      await again.post('/profile/disconnect').type('form').send({ csrf }).expect(303);
      expect(await member()).toMatchObject({ status: 'disconnected', credentials: null });
    });
  });

  it('a worker that stalled past its lease writes nothing once another took over: overlapping full syncs lose no meeting', async () => {
    // Two pages (Google pages at 500 here), so that the second worker can be caught between its pages.
    for (let i = 0; i < 520; i++) {
      e.sandbox.insertEvent(me, {
        summary: `Meeting ${i}`,
        start: { dateTime: at(-2 - (i % 60), 8 + (i % 9)) },
        end: { dateTime: at(-2 - (i % 60), 9 + (i % 9)) },
        attendees: [{ email: me }, { email: `p${i}@logo.com` }],
      });
    }
    const queue = new TypeOrmSyncQueue(e.t.db.dataSource.manager);
    const sync = e.t.container.get(SyncCalendar);
    const firstPageOfA = e.sandbox.hold(/\/events\?(?!.*pageToken)/);
    const secondPageOfB = e.sandbox.hold(/\/events\?.*pageToken/);

    const a = (await queue.acquire(memberId, randomUUID(), 60_000))!;
    const syncA = sync.execute(memberId, { full: true, lease: a });
    await firstPageOfA.reached;
    // A stalls (a GC pause, a frozen VM) until its lease has run out; B takes the calendar over.
    await e.t.db.dataSource.query(
      `UPDATE members SET sync_lease_until = now() - interval '1 second' WHERE id = $1`,
      [memberId],
    );
    const b = (await queue.acquire(memberId, randomUUID(), 60_000))!;
    const syncB = sync.execute(memberId, { full: true, lease: b });
    await secondPageOfB.reached;
    await eventually(async () => {
      const [row] = await e.t.db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM calendar_events ce JOIN members m ON m.id = ce.member_id
         WHERE ce.member_id = $1 AND ce.seen_generation = m.full_sync_generation`,
        [memberId],
      );
      return row!.n === 500; // B's first page is written
    });

    firstPageOfA.release(); // A wakes up and carries on as if it still held the calendar
    await expect(syncA).resolves.toMatchObject({ outcome: 'skipped' });
    secondPageOfB.release();
    await expect(syncB).resolves.toMatchObject({ outcome: 'synced', full: true, pages: 2 });
    await queue.release(b);

    const [counts] = await e.t.db.dataSource.query<{ meetings: number; interactions: number }[]>(
      `SELECT (SELECT count(*)::int FROM meetings) AS meetings, (SELECT count(*)::int FROM interactions) AS interactions`,
    );
    expect(counts).toEqual({ meetings: 521, interactions: 521 });
  });
});
