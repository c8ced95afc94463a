/** The right to sync one calendar: every write of that sync is conditional on still holding it. */
export interface SyncLease {
  memberId: string;
  /** Unique per claim: a worker that stalled past its lease no longer matches once another took over. */
  owner: string;
}

export interface ClaimedSync {
  lease: SyncLease;
  full: boolean;
  /** When the oldest request this claim serves was stored (for push-to-visible latency). */
  requestedAt: Date;
}

/**
 * Durable sync requests, one flag per calendar, claimed under a lease with an owner: several workers (or
 * instances) never sync one calendar at once, a dead worker's claim lapses, and a worker that stalled past its
 * lease is refused every write once another worker took the calendar over.
 */
export interface SyncQueue {
  /** Marks the calendar as needing a sync (a full one when `full`). */
  request(memberId: string, full: boolean): Promise<void>;
  /** Asks a sync of every active calendar, each due at its own offset within `periodMs`; returns how many. */
  requestAllSpread(periodMs: number): Promise<number>;
  /**
   * Claims the calendar with the oldest request whose lease and backoff have passed, for `owner`; no sync of it may
   * start again within `minIntervalMs`. Requests made while it syncs lead to one more sync after that. A full-sync
   * request stays until a full sync begins.
   */
  claim(owner: string, leaseMs: number, minIntervalMs: number): Promise<ClaimedSync | null>;
  /** Takes this calendar's lease now when nobody holds it (a sync run outside the worker); null otherwise. */
  acquire(memberId: string, owner: string, leaseMs: number): Promise<SyncLease | null>;
  /** False when the lease is no longer this owner's. */
  extendLease(lease: SyncLease, leaseMs: number): Promise<boolean>;
  /**
   * Ends the claim and records its outcome; after a failure the request stays and waits until `retryAt`. Does
   * nothing when the lease is no longer this owner's.
   */
  finish(lease: SyncLease, failure: { retryAt: Date } | null): Promise<void>;
  /** Ends an `acquire`d lease; requests are left as they are. */
  release(lease: SyncLease): Promise<void>;
  /**
   * Inside a transaction, before a sync writes: throws SyncLeaseLostError unless the lease is still held, and keeps
   * it held (and the member connected) until the transaction ends.
   */
  hold(lease: SyncLease): Promise<void>;
  /** Starts a full sync under the lease: the sync token is forgotten, the full-sync request served, a new generation begun. */
  beginFullSync(lease: SyncLease): Promise<number>;
  /** Stores the token of a finished sync, with its last page, under the lease. */
  completeSync(lease: SyncLease, syncToken: string, at: Date): Promise<void>;
  /** Releases every lease (a single-instance start: they are all leftovers of a crash). */
  releaseAllLeases(): Promise<void>;
  /** When the next waiting request becomes claimable, or null when none waits. */
  nextDueAt(): Promise<Date | null>;
}
