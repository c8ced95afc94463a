import type { ConnectionStatus, ConnectionVia, MemberConnection } from '../../domain/member-connection';

export type { ConnectionStatus, ConnectionVia } from '../../domain/member-connection';

/** A member's connection as the admin API and pages show it. */
export interface ConnectionView {
  memberId: string;
  email: string;
  status: ConnectionStatus;
  /** How the calendar is reached: the member's own sign-in, or the Workspace's delegation. */
  via: ConnectionVia;
  lastError: string | null;
  lastSyncAt: Date | null;
  channelExpiresAt: Date | null;
}

/** What a sync needs besides the connection. */
export interface SyncState {
  connection: MemberConnection;
  timeZone: string | null;
  syncToken: string | null;
  /** The current full-sync generation: copies seen by the latest full sync carry it. */
  generation: number;
}

/**
 * The one place a member's connection is stored (domain/member-connection.ts). `save` writes only under the
 * version the connection was read with: a writer holding a stale view is refused, never obeyed.
 */
export interface MemberRepository {
  /**
   * The member of this email (created, active without credentials, when new), its primary calendar's time zone
   * stored. Renewal runs keep off the member for a minute: the sign-in opens its channel next.
   */
  enrol(email: string, timeZone: string | null): Promise<MemberConnection>;
  load(memberId: string): Promise<MemberConnection | null>;
  /**
   * Stores the connection's changes if its version is still the one it was read with, moving the version when
   * its status or grant changed (and then waiting for a sync page being written, so that the page and a
   * Disconnect never interleave). Applies the effects the connection declares (`restartsSync`, `endsSyncWork`).
   * False, and nothing written, when someone changed the status or grant since.
   */
  save(connection: MemberConnection): Promise<boolean>;
  syncState(memberId: string): Promise<SyncState | null>;
  /** Every member not disconnected who holds a grant: stored credentials, or the delegation (start-up checks). */
  withGrant(): Promise<MemberConnection[]>;
  /** Every member whose email is of this domain (the directory sync). */
  inDomain(domain: string): Promise<MemberConnection[]>;
  findByEmail(email: string): Promise<ConnectionView | null>;
  get(memberId: string): Promise<ConnectionView | null>;
  list(): Promise<ConnectionView[]>;
}
