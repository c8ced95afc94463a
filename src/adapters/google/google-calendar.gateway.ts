import { auth, calendar_v3 } from '@googleapis/calendar';

import type {
  CalendarGateway,
  CalendarSession,
  EventsPage,
  GoogleCredentials,
  ListEventsQuery,
  PrimaryCalendar,
  WatchChannel,
  WatchRequest,
} from '../../application/ports/calendar-gateway.port';
import { DelegationNotConfiguredError } from '../../application/errors';
import type { GoogleCallBudget } from '../../application/ports/google-call-budget.port';
import type { Logger } from '../../application/ports/logger.port';
import type { Metrics } from '../observability/metrics';
import type { DelegatedTokens } from './delegated-tokens';
import type { GoogleClientSettings } from './google-endpoints';
import { CALENDAR_READONLY_SCOPE } from './scopes';
import { mapEventsPage } from './google-event.mapper';
import { isAccessTokenRefused, toTypedGoogleError } from './google-errors';

/** Events per page: fewer round trips than Google's default of 250, pages still small enough for one transaction. */
export const EVENTS_PAGE_SIZE = 500;
const REQUEST_TIMEOUT_MS = 30_000;

/** OAuth client for one member's credentials; the client refreshes the access token by itself when it expires. */
export function oauthClient(settings: GoogleClientSettings): InstanceType<typeof auth.OAuth2> {
  return new auth.OAuth2({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: settings.redirectUri,
    // Not `forceRefreshOnFailure`: with it the client also refreshes and retries at once on every 403, which is
    // how Google says "rate limit", bypassing our budget and backoff. A 401 is handled by the session instead.
    endpoints: {
      oauth2AuthBaseUrl: settings.endpoints.authorizeUrl,
      oauth2TokenUrl: settings.endpoints.tokenUrl,
      oauth2RevokeUrl: settings.endpoints.revokeUrl,
    },
  });
}

type CallName = 'calendars.get' | 'events.list' | 'events.watch' | 'channels.stop';

/**
 * An OAuth client whose access tokens come from the domain-wide delegation instead of a refresh token: the same
 * official client makes the calls, asking `tokens` whenever it has none that is valid.
 */
export function delegatedClient(
  tokens: DelegatedTokens,
  subject: string,
  scopes: readonly string[],
): InstanceType<typeof auth.OAuth2> {
  const client = new auth.OAuth2();
  // Not a constructor option in google-auth-library 10: it is read from the instance.
  client.refreshHandler = async () => {
    const token = await tokens.token(subject, scopes);
    return { access_token: token.accessToken, expiry_date: token.expiryDate };
  };
  return client;
}

/** How a session's client gets its access tokens, and how it drops one Google refused. */
interface SessionAuth {
  client: InstanceType<typeof auth.OAuth2>;
  /** Called when Google refused the access token: the next call gets a fresh one. */
  refused(): void;
}

/** What every call goes through: the shared call budget first, then the call, counted by outcome. */
interface CallPolicy {
  budget: GoogleCallBudget;
  metrics: Metrics | null;
}

/**
 * The Calendar API through the official client, pointed at GOOGLE_BASE_URL when set. Every call first takes a
 * slot of the shared budget (GOOGLE_REQUESTS_PER_MINUTE, GOOGLE_USER_REQUESTS_PER_MINUTE).
 */
export class GoogleCalendarGateway implements CalendarGateway {
  private readonly policy: CallPolicy;

  constructor(
    private readonly settings: () => GoogleClientSettings,
    private readonly logger: Logger,
    budget: GoogleCallBudget,
    metrics: Metrics | null = null,
    /** Domain-wide delegation's tokens; null when GOOGLE_SERVICE_ACCOUNT_KEY is not set. */
    private readonly delegation: DelegatedTokens | null = null,
  ) {
    this.policy = { budget, metrics };
  }

  session(credentials: GoogleCredentials, quotaUser: string | null): CalendarSession {
    const settings = this.settings();
    const client = oauthClient(settings);
    client.setCredentials({
      access_token: credentials.accessToken,
      refresh_token: credentials.refreshToken,
      expiry_date: credentials.expiryDate,
      scope: credentials.scope ?? undefined,
    });
    const refused = () =>
      client.setCredentials({ ...client.credentials, access_token: null, expiry_date: null });
    return new GoogleCalendarSession(settings, { client, refused }, quotaUser, this.policy, this.logger);
  }

  delegatedSession(subject: string, quotaUser: string | null): CalendarSession {
    const tokens = this.delegation;
    if (tokens === null) {
      throw new DelegationNotConfiguredError(
        'Domain-wide delegation is not configured (GOOGLE_SERVICE_ACCOUNT_KEY)',
      );
    }
    const client = delegatedClient(tokens, subject, [CALENDAR_READONLY_SCOPE]);
    const refused = () => {
      tokens.forget(subject);
      client.setCredentials({});
    };
    return new GoogleCalendarSession(
      this.settings(),
      { client, refused },
      quotaUser,
      this.policy,
      this.logger,
    );
  }
}

class GoogleCalendarSession implements CalendarSession {
  private readonly client: InstanceType<typeof auth.OAuth2>;
  private readonly calendar: calendar_v3.Calendar;
  /** Given with every call: the client keeps only the origin of a constructor `rootUrl`, losing a base path. */
  private readonly callOptions: { rootUrl: string };

  constructor(
    settings: GoogleClientSettings,
    private readonly auth: SessionAuth,
    private readonly quotaUser: string | null,
    private readonly policy: CallPolicy,
    private readonly logger: Logger,
  ) {
    this.client = auth.client;
    // Our RetryPolicy decides about retries (and counts them); the client's own retries would hide them.
    this.calendar = new calendar_v3.Calendar({
      auth: this.client,
      retry: false,
      timeout: REQUEST_TIMEOUT_MS,
    });
    this.callOptions = { rootUrl: settings.endpoints.apiRoot };
  }

  /**
   * Waits for the budget, makes the call, counts its outcome; errors leave as the application's typed errors. A
   * 401 for the access token (revoked, rotated, clocks apart) gets one retry with a freshly refreshed one; a 401
   * to that retry means the grant is gone.
   */
  private async call<T>(name: CallName, request: () => Promise<T>): Promise<T> {
    const { budget, metrics } = this.policy;
    for (let refreshed = false; ; refreshed = true) {
      const waitedMs = await budget.take(this.quotaUser);
      metrics?.googleBudgetWait.observe(waitedMs / 1000);
      try {
        const result = await request();
        metrics?.googleRequests.inc({ call: name, outcome: 'ok' });
        return result;
      } catch (error) {
        if (!refreshed && isAccessTokenRefused(error)) {
          metrics?.googleRequests.inc({ call: name, outcome: 'unauthorized' });
          // No access token: the client fetches a new one (refresh token or delegation) before the next request.
          this.auth.refused();
          continue;
        }
        const typed = toTypedGoogleError(error);
        metrics?.googleRequests.inc({ call: name, outcome: 'code' in typed ? String(typed.code) : 'error' });
        throw typed;
      }
    }
  }

  async primaryCalendar(): Promise<PrimaryCalendar> {
    const { data } = await this.call('calendars.get', () =>
      this.calendar.calendars.get({ calendarId: 'primary' }, this.callOptions),
    );
    if (!data.id) throw new Error('Google returned a calendar without an id');
    return { id: data.id, timeZone: data.timeZone ?? null };
  }

  async listEvents(query: ListEventsQuery): Promise<EventsPage> {
    const { data } = await this.call('events.list', () =>
      this.calendar.events.list(
        {
          calendarId: 'primary',
          singleEvents: true,
          maxResults: EVENTS_PAGE_SIZE,
          ...(query.pageToken === null ? {} : { pageToken: query.pageToken }),
          ...(query.kind === 'full'
            ? { timeMin: query.timeMin.toISOString(), timeMax: query.timeMax.toISOString() }
            : { syncToken: query.syncToken }),
        },
        this.callOptions,
      ),
    );
    const { page, skipped } = mapEventsPage(data);
    if (skipped > 0) this.logger.warn('skipped events Google sent in an unexpected shape', { skipped });
    return page;
  }

  async watch(request: WatchRequest): Promise<WatchChannel> {
    const { data } = await this.call('events.watch', () =>
      this.calendar.events.watch(
        {
          calendarId: 'primary',
          requestBody: {
            id: request.channelId,
            type: 'web_hook',
            address: request.address,
            token: request.token,
            params: { ttl: String(request.ttlSeconds) },
          },
        },
        this.callOptions,
      ),
    );
    const expiration = Number(data.expiration);
    if (!data.resourceId || !Number.isFinite(expiration))
      throw new Error('Google returned an incomplete channel');
    return { resourceId: data.resourceId, expiresAt: new Date(expiration) };
  }

  async stopChannel(channelId: string, resourceId: string): Promise<void> {
    await this.call('channels.stop', () =>
      this.calendar.channels.stop({ requestBody: { id: channelId, resourceId } }, this.callOptions),
    );
  }

  credentials(): GoogleCredentials {
    const c = this.client.credentials;
    return {
      accessToken: c.access_token ?? null,
      refreshToken: c.refresh_token ?? null,
      expiryDate: c.expiry_date ?? null,
      scope: c.scope ?? null,
    };
  }
}
