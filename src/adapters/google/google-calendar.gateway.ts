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
import type { Logger } from '../../application/ports/logger.port';
import type { GoogleClientSettings } from './google-endpoints';
import { mapEventsPage } from './google-event.mapper';
import { toTypedGoogleError } from './google-errors';

/** Events per page: fewer round trips than Google's default of 250, pages still small enough for one transaction. */
export const EVENTS_PAGE_SIZE = 500;
const REQUEST_TIMEOUT_MS = 30_000;

/** OAuth client for one member's credentials; the client refreshes the access token by itself when it expires. */
export function oauthClient(settings: GoogleClientSettings): InstanceType<typeof auth.OAuth2> {
  return new auth.OAuth2({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: settings.redirectUri,
    // Refresh on a 401 even when the stored expiry says the access token is still good (revoked, rotated).
    forceRefreshOnFailure: true,
    endpoints: {
      oauth2AuthBaseUrl: settings.endpoints.authorizeUrl,
      oauth2TokenUrl: settings.endpoints.tokenUrl,
      oauth2RevokeUrl: settings.endpoints.revokeUrl,
    },
  });
}

/** The Calendar API through the official client, pointed at GOOGLE_BASE_URL when set. */
export class GoogleCalendarGateway implements CalendarGateway {
  constructor(
    private readonly settings: () => GoogleClientSettings,
    private readonly logger: Logger,
  ) {}

  session(credentials: GoogleCredentials): CalendarSession {
    return new GoogleCalendarSession(this.settings(), credentials, this.logger);
  }
}

class GoogleCalendarSession implements CalendarSession {
  private readonly client: InstanceType<typeof auth.OAuth2>;
  private readonly calendar: calendar_v3.Calendar;
  /** Given with every call: the client keeps only the origin of a constructor `rootUrl`, losing a base path. */
  private readonly callOptions: { rootUrl: string };

  constructor(
    settings: GoogleClientSettings,
    credentials: GoogleCredentials,
    private readonly logger: Logger,
  ) {
    this.client = oauthClient(settings);
    this.client.setCredentials({
      access_token: credentials.accessToken,
      refresh_token: credentials.refreshToken,
      expiry_date: credentials.expiryDate,
      scope: credentials.scope ?? undefined,
    });
    // Our RetryPolicy decides about retries (and counts them); the client's own retries would hide them.
    this.calendar = new calendar_v3.Calendar({
      auth: this.client,
      retry: false,
      timeout: REQUEST_TIMEOUT_MS,
    });
    this.callOptions = { rootUrl: settings.endpoints.apiRoot };
  }

  async primaryCalendar(): Promise<PrimaryCalendar> {
    try {
      const { data } = await this.calendar.calendars.get({ calendarId: 'primary' }, this.callOptions);
      if (!data.id) throw new Error('Google returned a calendar without an id');
      return { id: data.id, timeZone: data.timeZone ?? null };
    } catch (error) {
      throw toTypedGoogleError(error);
    }
  }

  async listEvents(query: ListEventsQuery): Promise<EventsPage> {
    let data: unknown;
    try {
      const response = await this.calendar.events.list(
        {
          calendarId: 'primary',
          singleEvents: true,
          maxResults: EVENTS_PAGE_SIZE,
          ...(query.pageToken === null ? {} : { pageToken: query.pageToken }),
          ...(query.kind === 'full'
            ? { timeMin: query.timeMin.toISOString() }
            : { syncToken: query.syncToken }),
        },
        this.callOptions,
      );
      data = response.data;
    } catch (error) {
      throw toTypedGoogleError(error);
    }
    const { page, skipped } = mapEventsPage(data);
    if (skipped > 0) this.logger.warn('skipped events Google sent in an unexpected shape', { skipped });
    return page;
  }

  async watch(request: WatchRequest): Promise<WatchChannel> {
    try {
      const { data } = await this.calendar.events.watch(
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
      );
      const expiration = Number(data.expiration);
      if (!data.resourceId || !Number.isFinite(expiration))
        throw new Error('Google returned an incomplete channel');
      return { resourceId: data.resourceId, expiresAt: new Date(expiration) };
    } catch (error) {
      throw toTypedGoogleError(error);
    }
  }

  async stopChannel(channelId: string, resourceId: string): Promise<void> {
    try {
      await this.calendar.channels.stop({ requestBody: { id: channelId, resourceId } }, this.callOptions);
    } catch (error) {
      throw toTypedGoogleError(error);
    }
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
