import { Metrics } from '../../../src/adapters/observability/metrics';
import { SyncWorker } from '../../../src/adapters/scheduler/sync-worker';
import type { ClaimedSync, SyncQueue } from '../../../src/application/ports/sync-queue.port';
import type { SyncCalendar } from '../../../src/application/use-cases/sync-calendar.use-case';
import { RecordingLogger } from '../../support/logger';

/** A queue of calendars due now, counting the statements a worker would send. */
class CountingQueue {
  due: string[] = [];
  claims = 0;
  dueLookups = 0;

  claim(owner: string): Promise<ClaimedSync | null> {
    this.claims++;
    const memberId = this.due.shift();
    return Promise.resolve(
      memberId === undefined ? null : { lease: { memberId, owner }, full: false, requestedAt: new Date() },
    );
  }
  nextDueAt(): Promise<Date | null> {
    this.dueLookups++;
    return Promise.resolve(null);
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

  it('keeps one idle loop on the clock, and one looks per wake-up, not all of them', async () => {
    expect(queue.claims).toBe(4);
    expect(queue.dueLookups).toBe(1);
    for (let i = 0; i < 10; i++) {
      worker.wake();
      await settle();
    }
    expect(queue.claims).toBe(14);
  });

  it('fans a burst out over every loop: a loop that found work wakes the next', async () => {
    queue.due.push('a', 'b', 'c', 'd', 'e');
    worker.wake();
    for (let i = 0; i < 50 && synced.length < 5; i++) await settle();
    expect(synced.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(mostAtOnce).toBe(4);
  });
});
