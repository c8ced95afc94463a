/** Where a member's calendar connection stands. */
export type ConnectionStatus = 'active' | 'needs_reconnect' | 'disconnected';

/**
 * How the member's calendar is reached: their own consent (OAuth tokens stored), or the Workspace's domain-wide
 * delegation (tokens obtained for them by the service account, never stored).
 */
export type ConnectionVia = 'oauth' | 'delegation';

/** Why only a new consent by the member (or, for delegation, its grant by the Workspace admin) can restore it. */
export type ReconnectReason =
  'grant_revoked' | 'insufficient_scope' | 'credentials_unreadable' | 'delegation_withdrawn';

/** Why a member was disconnected other than by a Disconnect: gone from the Workspace directory. */
export type DisconnectCause = 'left_directory';

/** What admins read in `lastError` for each reason. */
export const RECONNECT_REASON_TEXT: Readonly<Record<ReconnectReason, string>> = {
  grant_revoked: 'Google access was revoked or has expired: the member must reconnect',
  insufficient_scope:
    'Google says the access given does not include the calendar: the member must reconnect and allow calendar access',
  credentials_unreadable:
    'The stored Google credentials cannot be decrypted (SECRET_KEY changed?): the member must reconnect',
  delegation_withdrawn:
    'Google refused the domain-wide delegation for this member (withdrawn in the Workspace Admin console, or the ' +
    'user is suspended or gone): reconnect once it is granted again, or ask the member to sign in',
};

export const DISCONNECT_CAUSE_TEXT: Readonly<Record<DisconnectCause, string>> = {
  left_directory: 'Suspended or deleted in the Workspace directory',
};

/** The member's OAuth tokens as stored: sealed by the application, never opened here. */
export type SealedCredentials = Uint8Array;

export interface ConnectionSnapshot {
  memberId: string;
  email: string;
  status: ConnectionStatus;
  via: ConnectionVia;
  /** Why `needs_reconnect`; for `disconnected`, set when it was not a Disconnect. */
  reason: ReconnectReason | DisconnectCause | null;
  /** A short sentence for admins, or null. */
  lastError: string | null;
  credentials: SealedCredentials | null;
  /** Moves with every change of status or grant: a writer that read an older one is refused. */
  version: number;
}

/**
 * A member's connection and the only way it changes. Every cause of a change is a method:
 *
 * | from \ cause    | signedIn | delegated | grantConfirmed | grantRefused    | disconnected / leftDirectory |
 * |-----------------|----------|-----------|----------------|-----------------|------------------------------|
 * | active          | active   | (kept)    | active         | needs_reconnect | disconnected                 |
 * | needs_reconnect | active   | active    | active         | needs_reconnect | disconnected                 |
 * | disconnected    | active   | active    | (refused)      | (ignored)       | disconnected                 |
 *
 * `signedIn` is a new consent (a new grant), `delegated` an admin's enrolment through the Workspace's domain-wide
 * delegation, `grantConfirmed` an admin's reconnect that found the grant working, `grantRefused` Google refusing
 * the grant (or the delegation) or finding it without the calendar scope (or the stored credentials no longer
 * opening), `disconnected` the member's or an admin's Disconnect, which deletes the credentials and ends every
 * sync of the member, `leftDirectory` the same for a delegated member suspended or deleted in the directory.
 *
 * A delegated connection that works is kept when the member signs in: the sign-in only opens My Profile.
 *
 * Status and grant changes move the version when saved, so that work started under the old ones (a sync that
 * refreshed a token, a renewal opening a channel) is refused instead of undoing them: Disconnect wins. Refreshed
 * access tokens and problems are saved only under the version they were read with, and do not move it.
 */
export class MemberConnection {
  private state: ConnectionSnapshot;
  private epochChanged = false;
  private restart = false;

  private constructor(snapshot: ConnectionSnapshot) {
    this.state = { ...snapshot };
  }

  static restore(snapshot: ConnectionSnapshot): MemberConnection {
    return new MemberConnection(snapshot);
  }

  get memberId(): string {
    return this.state.memberId;
  }

  get email(): string {
    return this.state.email;
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  get via(): ConnectionVia {
    return this.state.via;
  }

  get reason(): ReconnectReason | DisconnectCause | null {
    return this.state.reason;
  }

  get lastError(): string | null {
    return this.state.lastError;
  }

  get credentials(): SealedCredentials | null {
    return this.state.credentials;
  }

  /** The version this view was read (or last saved) with. */
  get version(): number {
    return this.state.version;
  }

  /** Whether there is a grant to act with: stored OAuth credentials, or the domain-wide delegation. */
  get hasGrant(): boolean {
    return this.state.via === 'delegation' || this.state.credentials !== null;
  }

  /** Whether syncs, channels and Google calls may act for the member. */
  get canSync(): boolean {
    return this.state.status === 'active' && this.hasGrant;
  }

  /** Saving must move the version: the status or the grant changed. */
  get changesEpoch(): boolean {
    return this.epochChanged;
  }

  /** Saving starts the member's syncing afresh: no backoff left from an earlier grant's failures. */
  get restartsSync(): boolean {
    return this.restart;
  }

  /** Saving ends the member's sync work: no sync token, no pending or running sync, no channel claim. */
  get endsSyncWork(): boolean {
    return this.epochChanged && this.state.status === 'disconnected';
  }

  /**
   * A new consent: the member is active with these credentials. False (nothing changes) for a working delegated
   * connection: the Workspace's delegation stays how the calendar is reached.
   */
  signedIn(credentials: SealedCredentials): boolean {
    if (this.state.via === 'delegation' && this.state.status === 'active') return false;
    this.change({ status: 'active', via: 'oauth', reason: null, lastError: null, credentials });
    this.restart = true;
    return true;
  }

  /**
   * Enrolled through the Workspace's domain-wide delegation: active, reached by delegation, no stored tokens.
   * False (nothing changes) for a member already active, however connected.
   */
  delegated(): boolean {
    if (this.state.status === 'active' && this.hasGrant) return false;
    this.change({ status: 'active', via: 'delegation', reason: null, lastError: null, credentials: null });
    this.restart = true;
    return true;
  }

  /** The grant was found to work again. False (nothing changes) when there is no grant to confirm. */
  grantConfirmed(): boolean {
    if (this.state.status === 'disconnected' || !this.hasGrant) return false;
    if (this.state.status === 'needs_reconnect') {
      this.change({ status: 'active', reason: null, lastError: null });
      this.restart = true;
    }
    return true;
  }

  /**
   * Google refused the grant: only the member can consent again (or the admin grant the delegation again).
   * Ignored once disconnected. A delegated member's refused access is the delegation's.
   */
  grantRefused(refused: ReconnectReason): boolean {
    if (this.state.status === 'disconnected') return false;
    const reason =
      this.state.via === 'delegation' && refused === 'grant_revoked' ? 'delegation_withdrawn' : refused;
    if (this.state.status === 'needs_reconnect' && this.state.reason === reason) return false;
    this.change({ status: 'needs_reconnect', reason, lastError: RECONNECT_REASON_TEXT[reason] });
    return true;
  }

  /** The member or an admin disconnected: credentials deleted, syncing over; interactions stay. */
  disconnected(): void {
    this.change({ status: 'disconnected', reason: null, lastError: null, credentials: null });
  }

  /**
   * A delegated member suspended or deleted in the Workspace directory: disconnected, with that cause, so that the
   * directory sync enrols them again if they come back. False for anyone else (a signed-in member keeps their own
   * grant; one already disconnected stays as they are).
   */
  leftDirectory(): boolean {
    if (this.state.via !== 'delegation' || this.state.status === 'disconnected') return false;
    const cause: DisconnectCause = 'left_directory';
    this.change({
      status: 'disconnected',
      reason: cause,
      lastError: DISCONNECT_CAUSE_TEXT[cause],
      credentials: null,
    });
    return true;
  }

  /** The client refreshed the access token of the grant this view holds. False when the grant is no longer live. */
  credentialsRefreshed(credentials: SealedCredentials): boolean {
    if (this.state.status === 'disconnected') return false;
    this.state.credentials = credentials;
    return true;
  }

  /** Something failed that admins should see; the connection itself stands. False once it is not active. */
  problem(message: string): boolean {
    if (this.state.status !== 'active' || this.state.lastError === message) return false;
    this.state.lastError = message;
    return true;
  }

  /** What failed before works again. False when there was nothing to clear. */
  problemSolved(): boolean {
    if (this.state.status !== 'active' || this.state.lastError === null) return false;
    this.state.lastError = null;
    return true;
  }

  snapshot(): ConnectionSnapshot {
    return { ...this.state };
  }

  /** Called by the repository once saved: this view is current again, at `version`. */
  saved(version: number): void {
    this.state.version = version;
    this.epochChanged = false;
    this.restart = false;
  }

  private change(next: Partial<ConnectionSnapshot>): void {
    this.state = { ...this.state, ...next };
    this.epochChanged = true;
  }
}
