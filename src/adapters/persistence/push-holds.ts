import type { NotificationCheck } from '../../application/ports/channel-repository.port';

/** Holds kept at most: one per live channel, about two per member. */
const MAX_HOLDS = 100_000;
/** However far the next sync is, a hold is checked against the database again after this long. */
export const MAX_HOLD_MS = 2_000;

interface Hold {
  resourceId: string;
  /** performance.now() at which the hold ends. */
  until: number;
}

/**
 * Pushes of a busy calendar that need no database work for a moment. A hold is granted, from the answer of the
 * statement that accepted a push (ChannelRepository.acceptNotifications), while the calendar is marked for a sync
 * that has not started yet and cannot start before a known instant (a sync is claimed no sooner than
 * SYNC_MIN_INTERVAL_MS after the last one started). Until that instant a push of the same live channel and resource
 * is already covered: the mark is stored, and the sync that serves it lists Google after the push arrived. So it is
 * answered 200 without a statement, which is what keeps the webhook at the pace of the HTTP server under a burst.
 *
 * A hold ends early when a write may have changed what it stands on: a channel stopped, a member's connection saved
 * (status, a sync restarted at once). This process voids its holds after its own such writes commit, and a hold
 * granted by a statement sent before that is refused (generations). Writes of other instances sharing a server
 * reach it by NOTIFY from the database's triggers; while that listener is down holds are not trusted at all.
 */
export class PushHolds {
  private readonly holds = new Map<string, Hold>();
  private currentGeneration = 0;

  constructor(private trusted: boolean) {}

  /** To pass back to grant() for a statement sent now. */
  get generation(): number {
    return this.currentGeneration;
  }

  covers(check: NotificationCheck): boolean {
    if (!this.trusted) return false;
    const hold = this.holds.get(check.channelId);
    if (hold === undefined || hold.resourceId !== check.resourceId) return false;
    if (performance.now() < hold.until) return true;
    this.holds.delete(check.channelId);
    return false;
  }

  /**
   * A hold of `ms` from `sentAt` (performance.now() when the statement was sent: the database measured `ms` later,
   * so the hold ends no later than the database's instant), unless holds were voided since `generation`.
   */
  grant(channelId: string, resourceId: string, ms: number, generation: number, sentAt: number): void {
    if (!this.trusted || generation !== this.currentGeneration || ms <= 0) return;
    if (this.holds.size >= MAX_HOLDS) this.holds.clear();
    this.holds.set(channelId, { resourceId, until: sentAt + Math.min(ms, MAX_HOLD_MS) });
  }

  /** Every hold ends now, and none granted by a statement sent before this is taken. */
  void(): void {
    this.currentGeneration++;
    this.holds.clear();
  }

  /** Whether holds may be used at all: false while other instances' writes could go unheard. */
  trust(trusted: boolean): void {
    this.trusted = trusted;
    this.void();
  }

  /** Holds in force (tests and metrics). */
  get size(): number {
    let live = 0;
    const now = performance.now();
    for (const hold of this.holds.values()) if (now < hold.until) live++;
    return live;
  }
}
