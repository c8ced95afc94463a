import type { DataSource } from 'typeorm';

import { PacedCallBudget } from '../../src/adapters/google/call-budget';
import { createDataSource } from '../../src/adapters/persistence/data-source';
import { TypeOrmSlotStore } from '../../src/adapters/persistence/typeorm-slot-store';
import { databaseTargets, resetData, type TestDatabase } from '../support/databases';
import { RecordingLogger } from '../support/logger';
import { busiestWindow } from '../support/windows';

/**
 * Calls measured where they start (the caller): a database round trip's jitter, and a timer firing late on a loaded
 * machine, may shift a start this much (a late start never comes earlier, but may crowd the next window).
 */
const JITTER_MS = 60;
const PERIOD_MS = 1_000;

/**
 * The shared Google call budget in the database: two instances (two data sources on PostgreSQL; PGlite admits one
 * process) drawing on one budget together stay under it in every window. The period is one second instead of
 * a minute so that the test takes seconds.
 */
describe.each(databaseTargets())('the shared Google call budget on $name', (target) => {
  let db: TestDatabase;
  let other: DataSource | null = null;
  beforeAll(async () => {
    db = await target.start();
    if (target.name === 'postgres') {
      other = createDataSource({
        url: db.url,
        schema: db.schema,
        poolSize: 4,
        logger: new RecordingLogger(),
      });
      await other.initialize();
    }
  });
  afterAll(async () => {
    await other?.destroy();
    await db.stop();
  });
  beforeEach(() => resetData(db.dataSource));

  const instances = (limits: { project: number; user: number }) =>
    [db.dataSource, other ?? db.dataSource].map(
      (source) =>
        new PacedCallBudget(new TypeOrmSlotStore(source.manager), {
          projectPerPeriod: limits.project,
          userPerPeriod: limits.user,
          periodMs: PERIOD_MS,
        }),
    );

  it("reserves a chain's second slot in the same statement, only while the first needs no wait", async () => {
    const store = new TypeOrmSlotStore(db.dataSource.manager);
    const chain = () =>
      store.reserveChained({ scope: 'user:a', spacingMs: 1_000 }, 1_000, {
        scope: 'project',
        spacingMs: 1_000,
      });
    const statements = db.queryCounter.count;
    const both = await chain();
    expect(db.queryCounter.count - statements).toBe(1);
    expect(both.first).toBeGreaterThan(900);
    expect(both.second).toBeGreaterThan(900);
    // The member's next slot ends about 2 s ahead, beyond the 1 s asked: the project's is left as it was.
    const memberOnly = await chain();
    expect(memberOnly.first).toBeGreaterThan(1_500);
    expect(memberOnly.second).toBeNull();
    const project = await store.reserve('project', 1_000);
    expect(project).toBeGreaterThan(1_500);
    expect(project).toBeLessThan(2_500);
    expect(await db.dataSource.query(`SELECT scope FROM google_call_slots ORDER BY scope`, [])).toEqual([
      { scope: 'project' },
      { scope: 'user:a' },
    ]);
  });

  it('keeps its slots unlogged: a slot is committed without waiting for the write-ahead log', async () => {
    expect(
      await db.dataSource.query(
        `SELECT relpersistence FROM pg_class WHERE oid = 'google_call_slots'::regclass`,
        [],
      ),
    ).toEqual([{ relpersistence: 'u' }]);
  });

  it('keeps two instances together under the project limit in every window, and near it', async () => {
    const [one, two] = instances({ project: 20, user: 1_000 });
    const began = Date.now();
    const starts = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await (i % 2 === 0 ? one! : two!).take(`member-${i % 7}`);
        return Date.now();
      }),
    );
    // Counted with windows shortened by the jitter allowance: a start measured late may crowd the next window.
    expect(busiestWindow(starts, PERIOD_MS - JITTER_MS)).toBeLessThanOrEqual(20);
    // 50 calls at 20 per second (the first at once, then 19 per second): about 2.6 s, not much more.
    const took = Math.max(...starts) - began;
    expect(took).toBeGreaterThan(2_000);
    expect(took).toBeLessThan(4_000);
  });

  it("keeps each member under the per-user limit while others' calls go on", async () => {
    const [one, two] = instances({ project: 1_000, user: 10 });
    const calls = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const member = i < 24 ? 'busy' : `quiet-${i}`;
        await (i % 2 === 0 ? one! : two!).take(member);
        return { member, at: Date.now() };
      }),
    );
    const busy = calls.filter((call) => call.member === 'busy').map((call) => call.at);
    const quiet = calls.filter((call) => call.member !== 'busy').map((call) => call.at);
    expect(busiestWindow(busy, PERIOD_MS - JITTER_MS)).toBeLessThanOrEqual(10);
    // The busy member's 24 calls need more than two periods; the others are not held up behind them.
    expect(Math.max(...busy) - Math.min(...busy)).toBeGreaterThan(PERIOD_MS * 1.5);
    expect(Math.max(...quiet) - Math.min(...quiet)).toBeLessThan(PERIOD_MS / 2);
  });

  it('keeps one row per scope', async () => {
    const [one] = instances({ project: 1_000, user: 1_000 });
    await Promise.all([one!.take('a'), one!.take('a'), one!.take('b'), one!.take(null)]);
    const rows = await db.dataSource.query<{ scope: string }[]>(
      'SELECT scope FROM google_call_slots ORDER BY scope',
    );
    expect(rows.map((row) => row.scope)).toEqual(['project', 'user:a', 'user:b']);
  });
});
