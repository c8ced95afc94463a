import type { ChannelRepository, NotificationCheck } from '../../application/ports/channel-repository.port';
import type { NotificationInbox } from '../../application/ports/notification-inbox.port';
import { PushHolds } from './push-holds';

interface Waiting {
  check: NotificationCheck;
  resolve(live: boolean): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 1_000;
/** How often marks that failed are tried again while the database is away. */
export const DEFERRED_RETRY_MS = 1_000;
/** Channels remembered at most; only channels with a valid token get here, so about two per member. */
const MAX_DEFERRED = 100_000;

/**
 * Group commit: notifications that arrive while a statement is in flight wait and go together in the next one,
 * so a burst costs a few statements instead of one per request (about 3x the throughput of one UPDATE per
 * request here). A lone notification is written at once.
 *
 * A failed statement fails every request of its batch: they answer 503 and Google retries them, but only for a
 * while (its retry window is undocumented; the sandbox's gives up after about 3.5 s). So the marks that failed
 * are also kept here, one per channel, and written as soon as the database answers again: a change pushed during
 * a longer outage still syncs when it ends, not at the next safety sync. They live in memory: a process that dies
 * during the outage leaves them to Google's retries and the safety sync.
 *
 * A push that a hold covers (PushHolds: its calendar's mark is stored and the sync serving it cannot have started
 * yet) is accepted without a statement.
 */
export class GroupCommitInbox implements NotificationInbox {
  private queue: Waiting[] = [];
  private flushing = false;
  private readonly deferred = new Map<string, NotificationCheck>();
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly channels: ChannelRepository,
    /** Called after a batch that marked calendars was committed: wakes the sync workers, here and elsewhere. */
    private readonly onMarked: () => void = () => undefined,
    private readonly holds: PushHolds = new PushHolds(false),
  ) {}

  accept(check: NotificationCheck): Promise<boolean> {
    if (this.holds.covers(check)) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      this.queue.push({ check, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const generation = this.holds.generation;
          const sentAt = performance.now();
          const { live, marked, holds } = await this.channels.acceptNotifications(
            batch.map((waiting) => waiting.check),
          );
          for (const [channelId, hold] of holds)
            this.holds.grant(channelId, hold.resourceId, hold.ms, generation, sentAt);
          for (const waiting of batch) waiting.resolve(live.has(waiting.check.channelId));
          if (marked > 0) this.onMarked();
        } catch (error) {
          // The database may be gone: from now on every push asks it, and answers 503 while it is away.
          this.holds.void();
          for (const waiting of batch) waiting.reject(error);
          this.defer(batch.map((waiting) => waiting.check));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Marks not yet written because the database failed (tests and metrics). */
  get deferredCount(): number {
    return this.deferred.size;
  }

  /** Stops retrying (at shutdown); what is still deferred is left to Google's retries and the safety sync. */
  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.deferred.clear();
  }

  private defer(checks: NotificationCheck[]): void {
    for (const check of checks) {
      if (check.markForSync && (this.deferred.size < MAX_DEFERRED || this.deferred.has(check.channelId)))
        this.deferred.set(check.channelId, check);
    }
    if (this.deferred.size > 0 && this.retryTimer === null) {
      this.retryTimer = setTimeout(() => void this.retryDeferred(), DEFERRED_RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private async retryDeferred(): Promise<void> {
    this.retryTimer = null;
    const checks = [...this.deferred.values()];
    this.deferred.clear();
    try {
      const { marked } = await this.channels.acceptNotifications(checks);
      if (marked > 0) this.onMarked();
    } catch {
      this.defer(checks);
    }
  }
}
