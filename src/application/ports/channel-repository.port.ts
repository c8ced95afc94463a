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
  /**
   * Stores a channel Google opened, if the member is still active under the connection version it was opened for;
   * false, and nothing stored, once the connection changed (a Disconnect): the channel is then to be stopped.
   */
  insert(channel: ChannelRef & { expiresAt: Date }, connectionVersion: number): Promise<boolean>;
  /** Marks the member's other unstopped channels as superseded by `keepId`; returns them, to be stopped. */
  supersedeOthers(memberId: string, keepId: string): Promise<ChannelRef[]>;
  markStopped(id: string): Promise<void>;
  recordStopFailure(id: string, message: string): Promise<void>;
  /** Superseded channels whose stop failed earlier: stopped again on each renewal run. */
  stopBacklog(limit: number): Promise<ChannelRef[]>;
  /** Marks every unstopped channel of the member stopped (it is refused from then on); returns them, to stop at Google. */
  stopAll(memberId: string): Promise<ChannelRef[]>;
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
