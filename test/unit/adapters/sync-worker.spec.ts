import { Metrics } from '../../../src/adapters/observability/metrics';
import { SyncWorker } from '../../../src/adapters/scheduler/sync-worker';
import type { ClaimedSync, SyncQueue } from '../../../src/application/ports/sync-queue.port';
import type { SyncCalendar } from '../../../src/application/use-cases/sync-calendar.use-case';
import { RecordingLogger } from '../../support/logger';

/** A queue of calendar sync requests with their due times, counting the statements a worker would send. */
class CountingQueue {
  pending: { memberId: string; dueAt: number }[] = [];
  claims = 0;
  dueLookups = 0;

  set due(memberIds: string[]) {
    this.pending = memberIds.map((memberId) => ({ memberId, dueAt: 0 }));
  }

  claim(owner: string): Promise<ClaimedSync | null> {
    this.claims++;
    const index = this.pending.findIndex((request) => request.dueAt <= Date.now());
    if (index < 0) return Promise.resolve(null);
    const memberId = this.pending.splice(index, 1)[0]!.memberId;
    return Promise.resolve({ lease: { memberId, owner }, full: false, requestedAt: new Date() });
  }
  nextDueAt(): Promise<Date | null> {
    this.dueLookups++;
    const due = this.pending.map((request) => request.dueAt);
    return Promise.resolve(due.length === 0 ? null : new Date(Math.min(...due)));
  }
  finish(): Promise<void> {
    return Promise.resolve();
  }
  extendLease(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('SyncWorker', () => {
  let worker: SyncWorker;
  let queue: CountingQueue;
  const synced: string[] = [];
  let running = 0;
  let mostAtOnce = 0;

  beforeEach(async () => {
    queue = new CountingQueue();
    synced.length = 0;
    running = 0;
    mostAtOnce = 0;
    const syncCalendar = {
      execute: async (memberId: string) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await settle();
        running--;
        synced.push(memberId);
        return { outcome: 'synced', full: false, pages: 1, events: 0 };
      },
    } as unknown as SyncCalendar;
    worker = new SyncWorker(
      queue as unknown as SyncQueue,
      syncCalendar,
      new RecordingLogger(),
      {
        concurrency: 4,
        leaseMs: 60_000,
        minIntervalMs: 0,
        pollMs: 60_000,
        retryBaseMs: 1_000,
        retryMaxMs: 1_000,
      },
      new Metrics(),
    );
    worker.start();
    await settle();
  });
  afterEach(() => worker.stop());

  it('wakes the loop keeping time and one other per wake-up, not every loop', async () => {
    expect(queue.claims).toBe(4);
    expect(queue.dueLookups).toBe(1);
    for (let i = 0; i < 10; i++) {
      worker.wake();
      await settle();
    }
    expect(queue.claims).toBe(24);
    expect(queue.dueLookups).toBe(11);
  });

  it('syncs a request when it falls due, sooner than the time the idle loops had planned', async () => {
    // A push on a calendar synced a moment ago: due once SYNC_MIN_INTERVAL_MS has passed, not at once.
    queue.pending = [{ memberId: 'a', dueAt: Date.now() + 100 }];
    worker.wake();
    await settle();
    expect(synced).toEqual([]);
    for (let i = 0; i < 20 && synced.length === 0; i++) await settle();
    // Polling would take pollMs (60 s here): the loop keeping time woke at the due time.
    expect(synced).toEqual(['a']);
  });

  it('fans a burst out over every loop: a loop that found work wakes the next', async () => {
    queue.due = ['a', 'b', 'c', 'd', 'e'];
    worker.wake();
    for (let i = 0; i < 50 && synced.length < 5; i++) await settle();
    expect(synced.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(mostAtOnce).toBe(4);
  });
});
