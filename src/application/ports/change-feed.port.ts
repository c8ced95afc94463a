import type { InteractionView } from './meeting-repository.port';

export type ChangeType = 'interaction.created' | 'interaction.updated' | 'interaction.deleted';

/**
 * A place in the feed: just after the change numbered `seq` of transaction `xid`. The feed is ordered by
 * (xid, seq) and hands out only changes of transactions that have ended, so that a change is never skipped, even
 * one whose transaction committed after a later-numbered one.
 */
export interface FeedPosition {
  xid: bigint;
  seq: bigint;
}

export interface InteractionChange {
  /** Stable and unique: also `webhook-id` of every delivery of the change. */
  id: string;
  type: ChangeType;
  occurredAt: Date;
  /** The interaction after the change, or `{id, accountId}` for a deletion. */
  data: InteractionView | { id: string; accountId: string };
  position: FeedPosition;
}

export interface ChangeFeed {
  /**
   * The changes after `after` (null: from the oldest retained one), in feed order; `next` is where to go on from,
   * `after` itself when there is nothing new. Throws FeedPositionExpiredError for a position whose changes were
   * pruned.
   */
  read(
    after: FeedPosition | null,
    limit: number,
  ): Promise<{ changes: InteractionChange[]; next: FeedPosition }>;
  /** A position before every change a transaction still running may write: reading on from it misses nothing. */
  safePosition(): Promise<FeedPosition>;
  /** Forgets changes older than `before` (and delivery attempts as old); returns how many changes went. */
  prune(before: Date): Promise<number>;
}

/** Tells waiting readers and the webhook workers that changes may have been committed. */
export interface ChangeNotifications {
  readonly epoch: number;
  /** Resolves at the next notification after `seenEpoch`, or after `timeoutMs`. */
  wait(timeoutMs: number, seenEpoch: number): Promise<void>;
  notify(): void;
}
