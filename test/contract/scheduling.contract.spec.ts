import { randomUUID } from 'node:crypto';

import { TypeOrmChannelRepository } from '../../src/adapters/persistence/typeorm-channel.repository';
import { TypeOrmRunCoordinator } from '../../src/adapters/persistence/typeorm-run-coordinator';
import { TypeOrmSyncQueue } from '../../src/adapters/persistence/typeorm-sync-queue';
import { SyncLeaseLostError } from '../../src/application/errors';
import { databaseTargets, resetData, type TestDatabase } from '../support/databases';

/** The database-backed coordination of jobs and syncs, on every database available here. */
describe.each(databaseTargets())('scheduling on $name', (target) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await target.start();
  });
  afterAll(() => db.stop());
  beforeEach(() => resetData(db.dataSource));

  const addMembers = (count: number) =>
    db.dataSource.query(
      `INSERT INTO members (email) SELECT 'm' || g || '@ourco.com' FROM generate_series(1, $1::int) AS g`,
      [count],
    );

  it('lets one instance run each cron tick', async () => {
    const one = new TypeOrmRunCoordinator(db.dataSource.manager);
    const other = new TypeOrmRunCoordinator(db.dataSource.manager);
    const tick = 'renew-channels:2026-11-25T10:00:00.000Z';
    expect(await Promise.all([one.shouldRun(tick, 60_000), other.shouldRun(tick, 60_000)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await other.shouldRun('renew-channels:2026-11-25T10:10:00.000Z', 60_000)).toBe(true);
  });

  it('spreads the safety sync over the period, and a calendar is claimed once', async () => {
    await addMembers(200);
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    expect(await queue.requestAllSpread(3_600_000)).toBe(200);
    const [spread] = await db.dataSource.query<{ min: number; max: number; distinct_minutes: number }[]>(
      `SELECT min(extract(epoch FROM safety_sync_at - now()))::float AS min,
              max(extract(epoch FROM safety_sync_at - now()))::float AS max,
              count(DISTINCT date_trunc('minute', safety_sync_at))::int AS distinct_minutes
       FROM members`,
    );
    expect(spread!.min).toBeGreaterThanOrEqual(0);
    expect(spread!.max).toBeLessThanOrEqual(3_600);
    expect(spread!.distinct_minutes).toBeGreaterThan(30);
    // Asking again before they ran changes nothing: each keeps its slot.
    expect(await queue.requestAllSpread(3_600_000)).toBe(0);

    await db.dataSource.query(`UPDATE members SET safety_sync_at = now() - interval '1 second'`);
    const claims = await Promise.all(
      Array.from({ length: 250 }, () => queue.claim(randomUUID(), 60_000, 1_000)),
    );
    const claimed = claims.filter((c) => c !== null).map((c) => c.lease.memberId);
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
  });

  /** A member whose last full sync was just now: its next sync is incremental unless one is asked for. */
  async function oneMember(): Promise<string> {
    await addMembers(1);
    await db.dataSource.query('UPDATE members SET last_full_sync_at = now()');
    const [member] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM members');
    return member!.id;
  }

  /** A live channel of the member on resource `r1`, expiring in a day. */
  async function liveChannel(memberId: string): Promise<string> {
    const channelId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at) VALUES ($1, $2, 'r1', now() + interval '1 day')`,
      [channelId, memberId],
    );
    return channelId;
  }

  it('holds a second request until the minimum interval after the start has passed', async () => {
    const id = await oneMember();
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    await queue.request(id, false);
    const first = await queue.claim(randomUUID(), 60_000, 60_000);
    expect(first).toMatchObject({ lease: { memberId: id }, full: false });
    await queue.request(id, true);
    await queue.finish(first!.lease, null);
    expect(await queue.claim(randomUUID(), 60_000, 60_000)).toBeNull();
    expect((await queue.nextDueAt())!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await db.dataSource.query(`UPDATE members SET next_sync_at = now() - interval '1 second'`);
    expect(await queue.claim(randomUUID(), 60_000, 60_000)).toMatchObject({
      lease: { memberId: id },
      full: true,
    });
  });

  it('makes a sync full when none was for 23 hours (the window moves), and the first one too', async () => {
    await addMembers(1);
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const [{ id }] = (await db.dataSource.query<{ id: string }[]>('SELECT id FROM members')) as [
      { id: string },
    ];
    await queue.request(id, false);
    const first = (await queue.claim(randomUUID(), 60_000, 0))!;
    expect(first.full).toBe(true);
    await queue.beginFullSync(first.lease);
    await queue.finish(first.lease, null);
    await queue.request(id, false);
    const second = (await queue.claim(randomUUID(), 60_000, 0))!;
    expect(second.full).toBe(false);
    await queue.finish(second.lease, null);
    await db.dataSource.query(`UPDATE members SET last_full_sync_at = now() - interval '23 hours 1 minute'`);
    await queue.request(id, false);
    expect(await queue.claim(randomUUID(), 60_000, 0)).toMatchObject({ full: true });
  });

  it('keeps a request whose sync crashed, and one made during a sync, for the next sync', async () => {
    const id = await oneMember();
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    await queue.request(id, false);
    expect(await queue.claim(randomUUID(), 60_000, 0)).not.toBeNull();
    // The worker dies: no finish. Once its lease lapses, the request is claimed again.
    await db.dataSource.query(`UPDATE members SET sync_lease_until = now() - interval '1 second'`);
    const second = await queue.claim(randomUUID(), 60_000, 0);
    expect(second).toMatchObject({ lease: { memberId: id } });

    await queue.request(id, false); // a push during that sync
    await queue.finish(second!.lease, null);
    const third = await queue.claim(randomUUID(), 60_000, 0);
    expect(third).toMatchObject({ lease: { memberId: id } });
    await queue.finish(third!.lease, null);
    expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
  });

  it('writes a push once until a sync starts, and once more during that sync, which then runs again', async () => {
    const id = await oneMember();
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    const channelId = await liveChannel(id);
    const push = () => channels.acceptNotifications([{ channelId, resourceId: 'r1', markForSync: true }]);
    const requestedAt = async () =>
      (await db.dataSource.query<{ at: Date }[]>('SELECT sync_requested_at AS at FROM members'))[0]!.at;

    expect(await push()).toEqual({ live: new Set([channelId]), marked: 1, holds: new Map() });
    const marked = await requestedAt();
    // No sync has started since: the next one lists Google after these pushes anyway.
    expect(await push()).toEqual({ live: new Set([channelId]), marked: 0, holds: new Map() });
    expect(await requestedAt()).toEqual(marked);

    const sync = (await queue.claim(randomUUID(), 60_000, 0))!;
    expect(await push()).toMatchObject({ marked: 1 });
    expect(await push()).toMatchObject({ marked: 0 });
    await queue.finish(sync.lease, null);
    const trailing = await queue.claim(randomUUID(), 60_000, 0);
    expect(trailing).toMatchObject({ lease: { memberId: id } });
    await queue.finish(trailing!.lease, null);
    expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
    expect(await push()).toMatchObject({ marked: 1 });
  });

  it.each(['a push', 'a sync request'])(
    'counts %s recorded at the instant a sync started as made during it: that sync runs again',
    async (kind) => {
      const id = await oneMember();
      const channelId = await liveChannel(id);
      const queue = new TypeOrmSyncQueue(db.dataSource.manager);
      await queue.request(id, false);
      const sync = (await queue.claim(randomUUID(), 60_000, 0))!;
      // One transaction, so one now(): the sync's start and the request share their instant, as two transactions
      // within a millisecond do on the embedded database's clock.
      await db.dataSource.transaction(async (tx) => {
        await tx.query('UPDATE members SET sync_started_at = now() WHERE id = $1', [id]);
        if (kind === 'a push') {
          const channels = new TypeOrmChannelRepository(tx);
          const check = { channelId, resourceId: 'r1', markForSync: true };
          expect(await channels.acceptNotifications([check])).toMatchObject({ marked: 1 });
          expect(await channels.acceptNotifications([check])).toMatchObject({ marked: 0 });
        } else {
          await new TypeOrmSyncQueue(tx).request(id, false);
        }
      });
      await queue.finish(sync.lease, null);
      const trailing = await queue.claim(randomUUID(), 60_000, 0);
      expect(trailing).toMatchObject({ lease: { memberId: id } });
      await queue.finish(trailing!.lease, null);
      expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
    },
  );

  it('holds a marked calendar until its next sync may start, no longer than its channel lives, only while active', async () => {
    const id = await oneMember();
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    const channelId = await liveChannel(id);
    const push = (markForSync = true, resourceId = 'r1') =>
      channels.acceptNotifications([{ channelId, resourceId, markForSync }]);
    const holdMs = async (markForSync = true) => (await push(markForSync)).holds.get(channelId)?.ms ?? 0;

    // Never synced: a sync may start at once, so nothing is held.
    expect(await push()).toEqual({ live: new Set([channelId]), marked: 1, holds: new Map() });
    const sync = (await queue.claim(randomUUID(), 60_000, 30_000))!;
    // Marked during the sync: the next sync starts no sooner than 30 s after this one did.
    const written = await push();
    expect(written.marked).toBe(1);
    expect(written.holds.get(channelId)).toEqual({ resourceId: 'r1', ms: expect.any(Number) });
    expect(written.holds.get(channelId)!.ms).toBeGreaterThan(25_000);
    expect(written.holds.get(channelId)!.ms).toBeLessThanOrEqual(30_000);
    // Already marked (a read, not a write), and the handshake of the same channel: held as well.
    expect(await holdMs()).toBeGreaterThan(25_000);
    expect(await holdMs(false)).toBeGreaterThan(25_000);
    // Another resource is no push of this channel.
    expect(await push(true, 'r2')).toEqual({ live: new Set(), marked: 0, holds: new Map() });

    await db.dataSource.query(`UPDATE channels SET expires_at = now() + interval '5 seconds' WHERE id = $1`, [
      channelId,
    ]);
    const beforeExpiry = await holdMs();
    expect(beforeExpiry).toBeGreaterThan(0);
    expect(beforeExpiry).toBeLessThanOrEqual(5_000);

    // The sync that served the mark made during it runs no sooner than next_sync_at; once that passed, no hold.
    await queue.finish(sync.lease, null);
    await db.dataSource.query(`UPDATE members SET next_sync_at = now() - interval '1 second'`);
    expect(await holdMs()).toBe(0);

    await db.dataSource.query(`UPDATE members SET next_sync_at = now() + interval '30 seconds'`);
    expect(await holdMs()).toBeGreaterThan(0);
    await db.dataSource.query(`UPDATE members SET status = 'needs_reconnect'`);
    expect(await push()).toEqual({ live: new Set([channelId]), marked: 0, holds: new Map() });
  });

  describe('a lease has an owner', () => {
    /** The worker that stalled: its lease ran out (the database clock moved past it) and another took over. */
    async function staleAndCurrent(queue: TypeOrmSyncQueue, id: string) {
      await queue.request(id, true);
      const stale = (await queue.claim(randomUUID(), 60_000, 0))!;
      await db.dataSource.query(`UPDATE members SET sync_lease_until = now() - interval '1 second'`);
      const current = (await queue.claim(randomUUID(), 60_000, 0))!;
      expect(current.lease.owner).not.toBe(stale.lease.owner);
      return { stale: stale.lease, current: current.lease };
    }

    const lease = async () =>
      (
        await db.dataSource.query<{ owner: string | null; until: Date | null }[]>(
          'SELECT sync_lease_owner AS owner, sync_lease_until AS until FROM members',
        )
      )[0]!;

    it("refuses every write of a worker that stalled past its lease, and never releases the other's", async () => {
      const id = await oneMember();
      const queue = new TypeOrmSyncQueue(db.dataSource.manager);
      const { stale, current } = await staleAndCurrent(queue, id);

      await expect(queue.beginFullSync(stale)).rejects.toThrow(SyncLeaseLostError);
      await expect(db.dataSource.transaction((tx) => new TypeOrmSyncQueue(tx).hold(stale))).rejects.toThrow(
        SyncLeaseLostError,
      );
      await expect(queue.completeSync(stale, 'stale-token', new Date())).rejects.toThrow(SyncLeaseLostError);
      expect(await queue.extendLease(stale, 60_000)).toBe(false);
      await queue.finish(stale, { retryAt: new Date(Date.now() + 60_000) });
      await queue.release(stale);
      expect(await lease()).toMatchObject({ owner: current.owner, until: expect.any(Date) });

      // The current owner is obeyed.
      await db.dataSource.transaction((tx) => new TypeOrmSyncQueue(tx).hold(current));
      expect(await queue.beginFullSync(current)).toBe(1);
      await queue.completeSync(current, 'current-token', new Date());
      expect(await queue.extendLease(current, 60_000)).toBe(true);
      await queue.finish(current, null);
      const [row] = await db.dataSource.query<{ token: string; failures: number }[]>(
        'SELECT sync_token AS token, sync_failures AS failures FROM members',
      );
      expect(row).toEqual({ token: 'current-token', failures: 0 });
      expect(await lease()).toEqual({ owner: null, until: null });
    });

    it('keeps a full-sync request until a full sync has begun, not when it is claimed', async () => {
      const id = await oneMember();
      const queue = new TypeOrmSyncQueue(db.dataSource.manager);
      await queue.request(id, true);
      expect(await queue.claim(randomUUID(), 60_000, 0)).toMatchObject({ full: true });
      // The worker dies before the full sync begins: the next claim is still a full one.
      await db.dataSource.query(`UPDATE members SET sync_lease_until = now() - interval '1 second'`);
      const next = (await queue.claim(randomUUID(), 60_000, 0))!;
      expect(next.full).toBe(true);
      await queue.beginFullSync(next.lease);
      await queue.finish(next.lease, { retryAt: new Date() });
      const [row] = await db.dataSource.query<{ full: boolean }[]>(
        'SELECT full_sync_requested AS full FROM members',
      );
      expect(row!.full).toBe(false);
    });

    it('lets a sync outside the worker take a free lease only', async () => {
      const id = await oneMember();
      const queue = new TypeOrmSyncQueue(db.dataSource.manager);
      const taken = await queue.acquire(id, randomUUID(), 60_000);
      expect(taken).not.toBeNull();
      expect(await queue.acquire(id, randomUUID(), 60_000)).toBeNull();
      await queue.request(id, false);
      expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
      await queue.release(taken!);
      expect(await queue.claim(randomUUID(), 60_000, 0)).not.toBeNull();
    });
  });

  it('renews channels about to lapse first, then gives members without one their first, then the rest', async () => {
    await addMembers(5);
    await db.dataSource.query(`UPDATE members SET status = 'active', via = 'delegation'`);
    const ids = (
      await db.dataSource.query<{ id: string; email: string }[]>('SELECT id, email FROM members')
    ).reduce((byEmail, row) => byEmail.set(row.email, row.id), new Map<string, string>());
    const id = (n: number) => ids.get(`m${n}@ourco.com`)!;
    // m1 and m2 without a channel; the others' expire in 50 s, 5 s and 20 s (renewed within 60 s: m4 and m5 are
    // in the second half of that window, m3 in the first).
    for (const [n, seconds] of [
      [3, 50],
      [4, 5],
      [5, 20],
    ] as const) {
      await db.dataSource.query(
        `INSERT INTO channels (id, member_id, resource_id, expires_at)
         VALUES ($1, $2, 'r', now() + $3 * interval '1 second')`,
        [randomUUID(), id(n), seconds],
      );
    }
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    const renewBefore = new Date(Date.now() + 60_000);
    const claim = async (limit: number) =>
      new Set(await channels.claimMembersToRenew(renewBefore, 60_000, limit, []));
    expect(await claim(2)).toEqual(new Set([id(4), id(5)]));
    expect(await claim(2)).toEqual(new Set([id(1), id(2)]));
    expect(await claim(2)).toEqual(new Set([id(3)]));
    expect(await claim(2)).toEqual(new Set());
  });

  it('supersedes only older channels, and says which were live: two opened at once do not replace each other', async () => {
    await addMembers(1);
    const [row] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM members');
    const member = row!.id;
    const insert = (expiresIn: string, createdAgo: string) => {
      const id = randomUUID();
      return db.dataSource
        .query(
          `INSERT INTO channels (id, member_id, resource_id, expires_at, created_at)
           VALUES ($1, $2, 'r', now() + $3::interval, now() - $4::interval)`,
          [id, member, expiresIn, createdAgo],
        )
        .then(() => id);
    };
    const lapsed = await insert('-1 minute', '8 days');
    const live = await insert('1 day', '6 days');
    // Two sign-ins (or a sign-in and a renewal) confirm their channels, then each supersedes the others.
    const first = await insert('7 days', '2 seconds');
    const second = await insert('7 days', '1 second');
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    const bySecond = await channels.supersedeOthers(member, second);
    expect(bySecond.map((c) => [c.id, c.wasLive]).sort()).toEqual(
      [
        [lapsed, false],
        [live, true],
        [first, true],
      ].sort(),
    );
    // The first one's own supersede leaves the newer channel alone; the older ones, replaced already, count as
    // live no more (and are given back to be stopped, as they still are not).
    expect((await channels.supersedeOthers(member, first)).map((c) => [c.id, c.wasLive]).sort()).toEqual(
      [
        [lapsed, false],
        [live, false],
      ].sort(),
    );
    const current = await db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM channels WHERE superseded_at IS NULL AND stopped_at IS NULL',
    );
    expect(current).toEqual([{ id: second }]);
  });

  it('releases every lease at a single-instance start', async () => {
    await addMembers(3);
    await db.dataSource.query(
      `UPDATE members SET sync_requested_at = now(), sync_lease_until = now() + interval '1 hour'`,
    );
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
    await queue.releaseAllLeases();
    expect(await queue.claim(randomUUID(), 60_000, 0)).not.toBeNull();
  });
});
