export interface ChannelRef {
  id: string;
  memberId: string;
  resourceId: string;
}

export interface NotificationCheck {
  channelId: string;
  resourceId: string;
  /** `exists` / `not_exists`: the calendar needs a sync. `sync` (the handshake) changes nothing. */
  markForSync: boolean;
}

export interface ChannelRepository {
  insert(channel: ChannelRef & { expiresAt: Date }): Promise<void>;
  /** Marks the member's other unstopped channels as superseded by `keepId`; returns them, to be stopped. */
  supersedeOthers(memberId: string, keepId: string): Promise<ChannelRef[]>;
  markStopped(id: string): Promise<void>;
  recordStopFailure(id: string, message: string): Promise<void>;
  /** Superseded channels whose stop failed earlier: stopped again on each renewal run. */
  stopBacklog(limit: number): Promise<ChannelRef[]>;
  /** Every unstopped channel of the member (for disconnecting). */
  unstopped(memberId: string): Promise<ChannelRef[]>;
  /**
   * Claims up to `limit` active members with no live channel lasting beyond `renewBefore` (expiring soon, or none
   * at all); a claim keeps other instances off the member for `leaseMs`.
   */
  claimMembersToRenew(renewBefore: Date, leaseMs: number, limit: number): Promise<string[]>;
  releaseMember(memberId: string): Promise<void>;
  /**
   * Checks a batch of notifications in one statement: returns the ids of channels that are live and watch that
   * resource, and marks their (active) calendars as needing a sync where asked.
   */
  acceptNotifications(batch: readonly NotificationCheck[]): Promise<Set<string>>;
}
