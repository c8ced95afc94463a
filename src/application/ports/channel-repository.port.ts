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
   * Stores a channel about to be opened, before the watch call (Google may send its `sync` message first), if the
   * member is still active under the connection version it is opened for; false, and nothing stored, once the
   * connection changed (a Disconnect). A pending channel accepts only its `sync` message.
   */
  reserve(channel: { id: string; memberId: string }, connectionVersion: number): Promise<boolean>;
  /** Completes a reserved channel with Google's answer; false when it was stopped meanwhile (to stop at Google). */
  confirm(channel: ChannelRef & { expiresAt: Date }): Promise<boolean>;
  /** Forgets a reserved channel whose watch call failed. */
  abandon(id: string): Promise<void>;
  /**
   * Marks the member's unstopped channels opened before `keepId` as superseded by it (one opened at the same time
   * by another sign-in or renewal is left to supersede this one); returns them, to be stopped, each with whether it
   * was live until then (current and not expired).
   */
  supersedeOthers(memberId: string, keepId: string): Promise<(ChannelRef & { wasLive: boolean })[]>;
  markStopped(id: string): Promise<void>;
  recordStopFailure(id: string, message: string): Promise<void>;
  /** Superseded channels whose stop failed earlier: stopped again on each renewal run. */
  stopBacklog(limit: number): Promise<ChannelRef[]>;
  /** Marks every unstopped channel of the member stopped (it is refused from then on); returns them, to stop at Google. */
  stopAll(memberId: string): Promise<ChannelRef[]>;
  /**
   * Claims up to `limit` active members with no live channel lasting beyond `renewBefore` (expiring soon, or none
   * at all), but those in `exclude` (tried by this run already); a claim keeps other instances off the member for
   * `leaseMs`.
   */
  claimMembersToRenew(
    renewBefore: Date,
    leaseMs: number,
    limit: number,
    exclude: readonly string[],
  ): Promise<string[]>;
  releaseMember(memberId: string): Promise<void>;
  /** A renewal failed: the member is left alone for a pause that grows with each failure in a row. */
  deferMember(memberId: string): Promise<void>;
  /**
   * Checks a batch of notifications in one statement: returns the ids of channels that are live and watch that
   * resource, and marks their (active) calendars as needing a sync where asked. `marked` counts the calendars
   * whose mark was written: one already marked since its last sync started needs no second mark.
   */
  acceptNotifications(batch: readonly NotificationCheck[]): Promise<NotificationAcceptance>;
}

export interface NotificationAcceptance {
  live: Set<string>;
  marked: number;
  /**
   * Live channels whose calendar is marked for a sync that cannot start for `ms` yet (the claim waits for the
   * minimum interval since the last start): until then a push of that channel and resource is already covered.
   */
  holds: Map<string, { resourceId: string; ms: number }>;
}
