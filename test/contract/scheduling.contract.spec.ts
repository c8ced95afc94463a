import { TypeOrmRunCoordinator } from '../../src/adapters/persistence/typeorm-run-coordinator';
import { TypeOrmSyncQueue } from '../../src/adapters/persistence/typeorm-sync-queue';
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
    const claims = await Promise.all(Array.from({ length: 250 }, () => queue.claim(60_000, 1_000)));
    const claimed = claims.filter((c) => c !== null).map((c) => c.memberId);
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
  });

  it('holds a second request until the minimum interval after the start has passed', async () => {
    await addMembers(1);
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const [member] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM members');
    const id = member!.id;
    await queue.request(id, false);
    expect(await queue.claim(60_000, 60_000)).toMatchObject({ memberId: id, full: false });
    await queue.request(id, true);
    await queue.finish(id, null);
    expect(await queue.claim(60_000, 60_000)).toBeNull();
    expect((await queue.nextDueAt())!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await db.dataSource.query(`UPDATE members SET next_sync_at = now() - interval '1 second'`);
    expect(await queue.claim(60_000, 60_000)).toMatchObject({ memberId: id, full: true });
  });

  it('keeps a request whose sync crashed, and one made during a sync, for the next sync', async () => {
    await addMembers(1);
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    const [member] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM members');
    const id = member!.id;
    await queue.request(id, false);
    expect(await queue.claim(60_000, 0)).not.toBeNull();
    // The worker dies: no finish. Once its lease lapses, the request is claimed again.
    await db.dataSource.query(`UPDATE members SET sync_lease_until = now() - interval '1 second'`);
    expect(await queue.claim(60_000, 0)).toMatchObject({ memberId: id });

    await queue.request(id, false); // a push during that sync
    await queue.finish(id, null);
    expect(await queue.claim(60_000, 0)).toMatchObject({ memberId: id });
    await queue.finish(id, null);
    expect(await queue.claim(60_000, 0)).toBeNull();
  });

  it('releases every lease at a single-instance start', async () => {
    await addMembers(3);
    await db.dataSource.query(
      `UPDATE members SET sync_requested_at = now(), sync_lease_until = now() + interval '1 hour'`,
    );
    const queue = new TypeOrmSyncQueue(db.dataSource.manager);
    expect(await queue.claim(60_000, 0)).toBeNull();
    await queue.releaseAllLeases();
    expect(await queue.claim(60_000, 0)).not.toBeNull();
  });
});
