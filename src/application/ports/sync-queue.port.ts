export interface ClaimedSync {
  memberId: string;
  full: boolean;
  /** When the oldest request this claim serves was stored (for push-to-visible latency). */
  requestedAt: Date;
}

/**
 * Durable sync requests, one flag per calendar, claimed under a lease: several workers (or instances) never sync
 * one calendar at once, and a dead worker's claim lapses.
 */
export interface SyncQueue {
  /** Marks the calendar as needing a sync (a full one when `full`). */
  request(memberId: string, full: boolean): Promise<void>;
  /** Asks a sync of every active calendar, each due at its own offset within `periodMs`; returns how many. */
  requestAllSpread(periodMs: number): Promise<number>;
  /**
   * Claims the calendar with the oldest request whose lease and backoff have passed; no sync of it may start again within
   * `minIntervalMs`. Requests made while it syncs lead to one more sync after that.
   */
  claim(leaseMs: number, minIntervalMs: number): Promise<ClaimedSync | null>;
  extendLease(memberId: string, leaseMs: number): Promise<void>;
  /** Releases the claim; after a failure the request stays and waits until `retryAt`. */
  finish(memberId: string, failure: { retryAt: Date } | null): Promise<void>;
  /** Releases every lease (a single-instance start: they are all leftovers of a crash). */
  releaseAllLeases(): Promise<void>;
  /** When the next waiting request becomes claimable, or null when none waits. */
  nextDueAt(): Promise<Date | null>;
}
