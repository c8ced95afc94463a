import type { CalendarEvent } from '../../domain/meeting';

/** OAuth tokens of one member, as stored (encrypted) between calls. */
export interface GoogleCredentials {
  accessToken: string | null;
  refreshToken: string | null;
  /** Access token expiry, ms since the epoch: lets the client refresh early instead of failing a call. */
  expiryDate: number | null;
  scope: string | null;
}

export type ListEventsQuery =
  | { kind: 'full'; timeMin: Date; timeMax: Date; pageToken: string | null }
  | { kind: 'incremental'; syncToken: string; pageToken: string | null };

export interface EventsPage {
  events: CalendarEvent[];
  /** Set on every page but the last. */
  nextPageToken: string | null;
  /** Set on the last page only. */
  nextSyncToken: string | null;
  timeZone: string | null;
}

export interface WatchRequest {
  channelId: string;
  /** Echoed by Google in X-Goog-Channel-Token with every notification. */
  token: string;
  /** The webhook URL Google posts notifications to. */
  address: string;
  ttlSeconds: number;
}

export interface WatchChannel {
  resourceId: string;
  expiresAt: Date;
}

export interface PrimaryCalendar {
  /** The member's email. */
  id: string;
  timeZone: string | null;
}

/**
 * One member's Calendar API. Errors cross as the typed errors of application/errors.ts:
 * SyncTokenExpiredError, GrantRevokedError, RateLimitedError, GoogleUnavailableError, GoogleRequestError.
 */
export interface CalendarSession {
  primaryCalendar(): Promise<PrimaryCalendar>;
  listEvents(query: ListEventsQuery): Promise<EventsPage>;
  /** Opens a push channel on the primary calendar's events. */
  watch(request: WatchRequest): Promise<WatchChannel>;
  stopChannel(channelId: string, resourceId: string): Promise<void>;
  /** The credentials now in use: different from the ones given when the client refreshed the access token. */
  credentials(): GoogleCredentials;
}

export interface CalendarGateway {
  /** `quotaUser`: whose per-user budget the calls draw on (a member id); null before the member exists. */
  session(credentials: GoogleCredentials, quotaUser: string | null): CalendarSession;
  /**
   * The calendar of `subject` (a Workspace user's email) through the domain-wide delegation. Throws
   * DelegationNotConfiguredError without GOOGLE_SERVICE_ACCOUNT_KEY; a refused delegation surfaces from the calls
   * as DelegationRefusedError.
   */
  delegatedSession(subject: string, quotaUser: string | null): CalendarSession;
}
