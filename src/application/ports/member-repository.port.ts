export type ConnectionStatus = 'active' | 'needs_reconnect' | 'disconnected';

export interface MemberConnection {
  memberId: string;
  email: string;
  status: ConnectionStatus;
  lastError: string | null;
  lastSyncAt: Date | null;
  channelExpiresAt: Date | null;
}

export interface SyncState {
  memberId: string;
  email: string;
  status: ConnectionStatus;
  timeZone: string | null;
  syncToken: string | null;
  /** The current full-sync generation: copies seen by the latest full sync carry it. */
  generation: number;
  /** Encrypted GoogleCredentials, or null once disconnected. */
  credentials: Buffer | null;
}

export interface MemberRepository {
  /** Creates or re-activates the member of this email with its primary calendar; returns the member id. */
  connect(email: string, timeZone: string | null): Promise<string>;
  storeCredentials(memberId: string, encrypted: Buffer): Promise<void>;
  syncState(memberId: string): Promise<SyncState | null>;
  /** Starts a full sync: the sync token is forgotten and a new generation begins; returns it. */
  beginFullSync(memberId: string): Promise<number>;
  /** Stores the token of a finished sync (with the last page, in its transaction). */
  completeSync(memberId: string, syncToken: string, at: Date): Promise<void>;
  recordSyncError(memberId: string, message: string): Promise<void>;
  markNeedsReconnect(memberId: string, message: string): Promise<void>;
  /** Active again, errors cleared (the stored grant was found to work). */
  reactivate(memberId: string): Promise<void>;
  /** Tokens deleted, pending syncs dropped; meetings and interactions stay. */
  markDisconnected(memberId: string): Promise<void>;
  /** Every member's email, normalised: never matched to an account. */
  allEmails(): Promise<Set<string>>;
  findByEmail(email: string): Promise<MemberConnection | null>;
  get(memberId: string): Promise<MemberConnection | null>;
  list(): Promise<MemberConnection[]>;
}
