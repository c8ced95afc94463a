import { randomUUID } from 'node:crypto';

import { describeError, USAGE_LIMIT_PAUSE_MS, UsageLimitedError } from '../../application/errors';
import type { Logger } from '../../application/ports/logger.port';
import type { ClaimedSync, SyncQueue } from '../../application/ports/sync-queue.port';
import type { SyncScheduler } from '../../application/ports/sync-scheduler.port';
import type { SyncCalendar } from '../../application/use-cases/sync-calendar.use-case';
import type { Metrics } from '../observability/metrics';
import { Signal } from './signal';

export interface SyncWorkerOptions {
  /** Calendars synced at once by this process. */
  concurrency: number;
  /** A claim lapses this long after its last renewal (a crashed worker's calendars are picked up then). */
  leaseMs: number;
  /** SYNC_MIN_INTERVAL_MS: no second sync of a calendar starts sooner after the last start. */
  minIntervalMs: number;
  /** The longest an idle worker sleeps before looking again (requests from other instances, lapsed leases). */
  pollMs: number;
  /** Backoff after a failed sync: doubles per failure in a row up to the cap, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_SYNC_WORKER_OPTIONS: Omit<SyncWorkerOptions, 'minIntervalMs'> = {
  concurrency: 4,
  // SYNC_LEASE_SECONDS
  leaseMs: 60_000,
  pollMs: 5_000,
  retryBaseMs: 2_000,
  retryMaxMs: 300_000,
};

/**
 * Runs SyncCalendar for calendars whose sync was requested. Requests are durable rows (SyncQueue), so nothing is
 * lost when a process dies; the worker is woken at once in-process and otherwise polls, sleeping until the next
 * request becomes due. Each claimed calendar's lease is renewed while its sync runs.
 */
export class SyncWorker implements SyncScheduler {
  private readonly signal = new Signal();
  /** What the loop keeping time waits on: every wake-up, as a new request may fall due sooner than it planned. */
  private readonly clock = new Signal();
  private loops: Promise<void>[] = [];
  private stopped = true;
  private failuresInARow = new Map<string, number>();
  private timekeeping = false;

  constructor(
    private readonly queue: SyncQueue,
    private readonly syncCalendar: SyncCalendar,
    private readonly logger: Logger,
    private readonly options: SyncWorkerOptions,
    private readonly metrics: Metrics,
  ) {}

  async requestSync(memberId: string, options: { full?: boolean } = {}): Promise<void> {
    await this.queue.request(memberId, options.full ?? false);
    this.wake();
  }

  wake(): void {
    this.clock.notify();
    this.signal.notifyOne();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Stops claiming and waits for the syncs in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.notify();
    this.signal.notify();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const epoch = this.signal.epoch;
      const clockEpoch = this.clock.epoch;
      try {
        const claimSentAt = Date.now();
        const claimed = await this.queue.claim(
          randomUUID(),
          this.options.leaseMs,
          this.options.minIntervalMs,
        );
        if (claimed === null) {
          await this.idle(epoch, clockEpoch);
          continue;
        }
        // More may be due: another idle loop looks (one at a time, not every loop at every wake-up).
        this.signal.notifyOne();
        await this.run(claimed, claimSentAt);
      } catch (error) {
        // The database is unreachable or the claim failed: the requests are still stored; try again later.
        this.logger.warn('sync worker could not claim work', { error: describeError(error) });
        await this.signal.wait(this.options.pollMs, epoch);
      }
    }
  }

  /**
   * One idle loop keeps time: it sleeps until the next request falls due, and looks again at every wake-up (a new
   * request may fall due sooner). The others wait to be woken one at a time, or poll. Otherwise every loop would
   * look up the due time and wake at the same moment to claim the same calendar.
   */
  private async idle(epoch: number, clockEpoch: number): Promise<void> {
    if (this.timekeeping) {
      await this.signal.wait(this.options.pollMs, epoch);
      return;
    }
    this.timekeeping = true;
    try {
      await this.clock.wait(await this.idleMs(), clockEpoch);
    } finally {
      this.timekeeping = false;
    }
  }

  private async run({ lease, full, requestedAt }: ClaimedSync, claimSentAt: number): Promise<void> {
    const { memberId } = lease;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    // When the last lease write that succeeded was sent: the lease lasts leaseMs from (about) then.
    let leasedFrom = claimSentAt;
    const renew = setInterval(() => {
      const sentAt = Date.now();
      this.queue.extendLease(lease, this.options.leaseMs).then(
        (held) => {
          if (held) leasedFrom = Math.max(leasedFrom, sentAt);
          else clearInterval(renew);
        },
        (error: unknown) => {
          this.logger.warn('could not renew a sync lease', { memberId, error: describeError(error) });
        },
      );
    }, this.options.leaseMs / 3);
    const leaseEndsAt = () => leasedFrom + this.options.leaseMs;
    try {
      const result = await this.syncCalendar.execute(memberId, { full, lease });
      const kind = result.outcome === 'synced' && result.full ? 'full' : 'incremental';
      this.metrics.syncs.inc({ kind, outcome: result.outcome });
      this.metrics.syncDuration.observe({ kind }, seconds());
      if (result.outcome === 'synced')
        this.metrics.pushToVisible.observe(Math.max(0, Date.now() - requestedAt.getTime()) / 1000);
      this.failuresInARow.delete(memberId);
      await this.finish(lease, null, leaseEndsAt);
    } catch (error) {
      this.metrics.syncs.inc({ kind: full ? 'full' : 'incremental', outcome: 'failed' });
      this.metrics.syncDuration.observe({ kind: full ? 'full' : 'incremental' }, seconds());
      const failures = (this.failuresInARow.get(memberId) ?? 0) + 1;
      this.failuresInARow.set(memberId, failures);
      const ceiling = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (failures - 1));
      const backoffMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      // Google's usage limits last hours: no quick retries against them.
      const delayMs =
        error instanceof UsageLimitedError ? Math.max(backoffMs, USAGE_LIMIT_PAUSE_MS) : backoffMs;
      this.logger.warn('sync failed; will retry', {
        memberId,
        error: describeError(error),
        retryInMs: delayMs,
      });
      await this.finish(lease, { retryAt: new Date(Date.now() + delayMs) }, leaseEndsAt);
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Releases the claim (and records the outcome), retrying while the database is unreachable: a sync cut short by
   * an outage would otherwise keep its calendar leased for up to SYNC_LEASE_SECONDS after the database is back, and
   * the changes pushed meanwhile would wait that long. Retried until the lease would have lapsed anyway; a late
   * release is harmless, as it names its owner and does nothing once another worker took over.
   */
  private async finish(
    lease: ClaimedSync['lease'],
    failure: { retryAt: Date } | null,
    leaseEndsAt: () => number,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const epoch = this.signal.epoch;
      try {
        await this.queue.finish(lease, failure);
        return;
      } catch (error) {
        if (this.stopped || Date.now() >= leaseEndsAt()) throw error;
        if (attempt === 0)
          this.logger.warn('could not release a sync claim; retrying', {
            memberId: lease.memberId,
            error: describeError(error),
          });
        // Woken early when the database is back (the wake-up listener reconnects) or a push is stored.
        await this.signal.wait(Math.min(this.options.pollMs, 250 * 2 ** attempt), epoch);
      }
    }
  }

  private async idleMs(): Promise<number> {
    const due = await this.queue.nextDueAt();
    if (due === null) return this.options.pollMs;
    return Math.max(5, Math.min(this.options.pollMs, due.getTime() - Date.now() + 5));
  }
}
