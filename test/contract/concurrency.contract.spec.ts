import { randomUUID } from 'node:crypto';

import type { QueryRunner } from 'typeorm';

import { TypeOrmChangeFeed } from '../../src/adapters/persistence/typeorm-change-feed';
import { GroupCommitInbox } from '../../src/adapters/persistence/group-commit-inbox';
import { HOLDS_CHANNEL, PgWakeChannel } from '../../src/adapters/persistence/pg-wake-channel';
import { PushHolds } from '../../src/adapters/persistence/push-holds';
import { TypeOrmChannelRepository } from '../../src/adapters/persistence/typeorm-channel.repository';
import { TypeOrmMeetingRepository } from '../../src/adapters/persistence/typeorm-meeting.repository';
import { TypeOrmMemberRepository } from '../../src/adapters/persistence/typeorm-member.repository';
import { TypeOrmSyncQueue } from '../../src/adapters/persistence/typeorm-sync-queue';
import { SyncLeaseLostError } from '../../src/application/errors';
import type { MatchedCopy } from '../../src/application/ports/meeting-repository.port';
import { aMatchedCopy } from '../support/builders';
import { postgresTarget, resetData, type TestDatabase } from '../support/databases';
import { eventually } from '../support/e2e';
import { RecordingLogger } from '../support/logger';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.warn(
    'concurrency.contract.spec.ts skipped: it needs two real connections to one PostgreSQL (set TEST_DATABASE_URL); ' +
      'the embedded database is one session and runs transactions one at a time.',
  );
}

/**
 * Whether `promise` (a statement sent on the connection of backend `pid`) waits on a lock: polled until the server
 * shows that backend waiting, or the promise settles. Proof that it blocks, without guessing a sleep.
 */
async function blockedOnLock(promise: Promise<unknown>, pid: number, db: TestDatabase): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 500 && !settled; i++) {
    const [row] = await db.dataSource.query<{ waiting: boolean }[]>(
      `SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1`,
      [pid],
    );
    if (row?.waiting) return !settled;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

/**
 * Races that the embedded database cannot show (one session, one transaction at a time), with two connections to
 * PostgreSQL, each holding a transaction open while the other acts.
 */
(serverUrl ? describe : describe.skip)('concurrency on PostgreSQL with two connections', () => {
  let db: TestDatabase;
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    db = await postgresTarget(serverUrl!).start();
  });
  afterAll(() => db.stop());
  beforeEach(() => resetData(db.dataSource));
  afterEach(async () => {
    for (const runner of runners.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  /** A connection of its own (in a transaction unless `autocommit`), with its server backend's pid. */
  async function connection(autocommit = false): Promise<{ runner: QueryRunner; pid: number }> {
    const runner = db.dataSource.createQueryRunner();
    runners.push(runner);
    await runner.connect();
    const [row] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    if (!autocommit) await runner.startTransaction();
    return { runner, pid: row!.pid };
  }

  async function addMember(email: string): Promise<string> {
    const [row] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO members (email, status) VALUES ($1, 'active') RETURNING id`,
      [email],
    );
    return row!.id;
  }

  /** A copy of the one meeting both calendars share. */
  const copy = (eventId: string, title: string, updated: string): MatchedCopy =>
    aMatchedCopy({ eventId, iCalUID: 'shared@google.com', title, updated, accountIds: ['logo'] });

  it('stores one meeting when two calendars insert it at the same time', async () => {
    await db.dataSource.query(`INSERT INTO accounts (id, name) VALUES ('logo', 'Logo')`);
    const [ada, bob] = [await addMember('ada@ourco.com'), await addMember('bob@ourco.com')];
    const first = await connection();
    const second = await connection();
    await new TypeOrmMeetingRepository(first.runner.manager).saveCopies(ada, 1, [
      copy('ada-event', 'QBR', '2026-11-02T00:00:00Z'),
    ]);
    // The second calendar's insert waits on the first one's uncommitted row, then finds it committed and newer
    // than its own copy: it keeps that row, and must still learn its id.
    const racing = new TypeOrmMeetingRepository(second.runner.manager).saveCopies(bob, 1, [
      copy('bob-event', 'QBR (older copy)', '2026-11-01T00:00:00Z'),
    ]);
    expect(await blockedOnLock(racing, second.pid, db)).toBe(true);
    await first.runner.commitTransaction();
    await racing;
    await second.runner.commitTransaction();

    const rows = await db.dataSource.query<
      { meetings: number; copies: number; meetings_copied: number; interactions: number }[]
    >(
      `SELECT (SELECT count(*)::int FROM meetings) AS meetings,
              (SELECT count(*)::int FROM calendar_events) AS copies,
              (SELECT count(DISTINCT meeting_id)::int FROM calendar_events) AS meetings_copied,
              (SELECT count(*)::int FROM interactions) AS interactions`,
    );
    expect(rows[0]).toEqual({ meetings: 1, copies: 2, meetings_copied: 1, interactions: 1 });
    expect(await db.dataSource.query('SELECT title FROM meetings')).toEqual([{ title: 'QBR' }]);
  });

  it('never skips a change whose transaction commits after a later-numbered one', async () => {
    await db.dataSource.query(`INSERT INTO accounts (id, name) VALUES ('logo', 'Logo')`);
    const [ada, bob] = [await addMember('ada@ourco.com'), await addMember('bob@ourco.com')];
    const feed = new TypeOrmChangeFeed(db.dataSource.manager);
    const start = await feed.safePosition();
    const slow = await connection();
    const quick = await connection();
    const single = (key: string, title: string): MatchedCopy =>
      aMatchedCopy({
        eventId: `${key}-event`,
        iCalUID: `${key}@g`,
        title,
        updated: '2026-11-02T00:00:00Z',
        accountIds: ['logo'],
      });
    // The slow transaction writes first (the lower change number), the quick one commits first.
    await new TypeOrmMeetingRepository(slow.runner.manager).saveCopies(ada, 1, [single('slow', 'Slow')]);
    await new TypeOrmMeetingRepository(quick.runner.manager).saveCopies(bob, 1, [single('quick', 'Quick')]);
    await quick.runner.commitTransaction();
    // A reader by change number alone would take the quick change now and skip the slow one for ever.
    const during = await feed.read(start, 100);
    expect(during).toEqual({ changes: [], next: start });
    await slow.runner.commitTransaction();
    // Another session's transaction (autovacuum, a pool's idle check) may hold the horizon for a moment.
    const after = (await eventually(async () => {
      const read = await feed.read(during.next, 100);
      return read.changes.length === 2 ? read : undefined;
    }))!;
    expect(after.changes.map((change) => (change.data as { title: string }).title)).toEqual([
      'Slow',
      'Quick',
    ]);
    expect(await feed.read(after.next, 100)).toEqual({ changes: [], next: after.next });
  });

  it('lets a Disconnect wait for the sync page being written, then refuses the next page', async () => {
    const id = await addMember('ada@ourco.com');
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    await queue.request(id, false);
    const { lease } = (await queue.claim(randomUUID(), 60_000, 0))!;

    const page = await connection();
    await new TypeOrmSyncQueue(page.runner.manager).hold(lease);
    const admin = await connection(true);
    const members = new TypeOrmMemberRepository(admin.runner.manager);
    const member = (await members.load(id))!;
    member.disconnected();
    const disconnecting = members.save(member);
    expect(await blockedOnLock(disconnecting, admin.pid, db)).toBe(true);
    // A push marking the calendar is not held up by the page.
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    await db.dataSource.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at) VALUES ($1, $2, 'r1', now() + interval '1 day')`,
      [randomUUID(), id],
    );
    const [channel] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM channels');
    const { live, marked } = await channels.acceptNotifications([
      { channelId: channel!.id, resourceId: 'r1', markForSync: true },
    ]);
    expect(live.size).toBe(1);
    expect(marked).toBe(1);

    await page.runner.commitTransaction();
    expect(await disconnecting).toBe(true);
    const next = await connection();
    await expect(new TypeOrmSyncQueue(next.runner.manager).hold(lease)).rejects.toThrow(SyncLeaseLostError);
    await expect(queue.completeSync(lease, 'late-token', new Date())).rejects.toThrow(SyncLeaseLostError);
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT status, credentials, sync_token, sync_lease_owner, sync_requested_at FROM members`,
    );
    expect(row).toEqual({
      status: 'disconnected',
      credentials: null,
      sync_token: null,
      sync_lease_owner: null,
      sync_requested_at: null,
    });
  });

  it('never lets another worker take over a calendar while a page of it is being written', async () => {
    const id = await addMember('ada@ourco.com');
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    await queue.request(id, false);
    const { lease } = (await queue.claim(randomUUID(), 60_000, 0))!;
    const page = await connection();
    await new TypeOrmSyncQueue(page.runner.manager).hold(lease);
    // The lease runs out while the page is written (a stalled worker): the calendar is still not claimable.
    await db.dataSource.query(`UPDATE members SET sync_lease_until = now() - interval '1 second'`);
    expect(await queue.claim(randomUUID(), 60_000, 0)).toBeNull();
    await page.runner.commitTransaction();
    const takeover = await queue.claim(randomUUID(), 60_000, 0);
    expect(takeover?.lease.owner).not.toBe(lease.owner);
    await expect(queue.beginFullSync(lease)).rejects.toThrow(SyncLeaseLostError);
  });

  it("ends this instance's push holds when another instance stops the channel or changes the connection", async () => {
    const id = await addMember('held@ourco.com');
    const channelId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at) VALUES ($1, $2, 'r1', now() + interval '1 day')`,
      [channelId, id],
    );
    // This instance: holds heard through its own listener, as server.ts wires them.
    const holds = new PushHolds(false);
    let heard = 0;
    const listener = new PgWakeChannel(
      serverUrl!,
      (sql) => db.dataSource.query(sql),
      {
        [HOLDS_CHANNEL]: () => {
          heard++;
          holds.void();
        },
      },
      new RecordingLogger(),
      (listening) => holds.trust(listening),
    );
    const inbox = new GroupCommitInbox(
      new TypeOrmChannelRepository(db.dataSource.manager),
      () => undefined,
      holds,
    );
    // The other instance writes through repositories that know nothing of this one's holds.
    const other = new TypeOrmChannelRepository(db.dataSource.manager);
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const check = { channelId, resourceId: 'r1', markForSync: true };
    /** Marked during a sync whose successor may start only a minute later (other test files' writes on this server also void holds: retried). */
    const markDuringSync = async () => {
      await db.dataSource.query(
        'UPDATE members SET sync_lease_owner = NULL, sync_lease_until = NULL, next_sync_at = NULL WHERE id = $1',
        [id],
      );
      await queue.request(id, false);
      await queue.claim(randomUUID(), 60_000, 60_000);
      return inbox.accept(check);
    };
    const hold = () => eventually(async () => (await markDuringSync()) && holds.size === 1);
    try {
      // Not listening yet: another instance's writes could go unheard, so nothing is held.
      expect(await markDuringSync()).toBe(true);
      expect(holds.size).toBe(0);
      await listener.start();
      await hold();
      expect(holds.covers(check)).toBe(true);

      // Heard, not merely run out (a hold lasts up to MAX_HOLD_MS).
      let before = heard;
      await db.dataSource.query(`UPDATE members SET status = 'needs_reconnect' WHERE id = $1`, [id]);
      await eventually(() => heard > before && holds.size === 0);
      await db.dataSource.query(`UPDATE members SET status = 'active' WHERE id = $1`, [id]);

      await hold();
      before = heard;
      await other.markStopped(channelId);
      await eventually(() => heard > before && holds.size === 0);
      expect(await inbox.accept(check)).toBe(false);

      await listener.stop();
      expect(holds.covers(check)).toBe(false);
    } finally {
      await listener.stop();
    }
  });

  it('refuses a channel opened for a connection that was disconnected meanwhile', async () => {
    const id = await addMember('ada@ourco.com');
    const members = new TypeOrmMemberRepository(db.dataSource.manager);
    const seen = (await members.load(id))!;
    const channels = new TypeOrmChannelRepository(db.dataSource.manager);
    const pending = { id: randomUUID(), memberId: id };
    expect(await channels.reserve(pending, seen.version)).toBe(true);
    // The Disconnect lands while Google answers the watch call.
    const gone = (await members.load(id))!;
    gone.disconnected();
    expect(await members.save(gone)).toBe(true);
    expect(await channels.stopAll(id)).toEqual([]);
    const expiresAt = new Date(Date.now() + 86_400_000);
    expect(await channels.confirm({ ...pending, resourceId: 'r1', expiresAt })).toBe(false);
    expect(await channels.reserve({ id: randomUUID(), memberId: id }, seen.version)).toBe(false);
    expect(await db.dataSource.query('SELECT id FROM channels WHERE stopped_at IS NULL')).toEqual([]);
  });
});
