import type { calendar_v3 } from '@googleapis/calendar';

import type { GoogleErrorBody } from '../../sandbox/google-errors';
import type { SandboxEventInput } from '../../sandbox/google-sandbox';
import {
  ADA,
  calendarClient,
  connect,
  consent,
  failure,
  fixture,
  GRACE,
  type Harness,
  type OAuth2Client,
  type OAuthErrorBody,
  oauthClient,
  REDIRECT_URI,
  startReceiver,
  startSandbox,
} from './harness';
import { shapeOf } from './shape';

/** Pins every answer the service relies on to Google's documented forms in test/fixtures/google. */
describe('sandbox answers have the shapes of Google fixtures', () => {
  let h: Harness;
  let client: OAuth2Client;
  let calendar: calendar_v3.Calendar;
  beforeEach(async () => {
    h = await startSandbox({ httpWebhookHosts: ['127.0.0.1'] });
    ({ client, calendar } = await connect(h, ADA));
  });
  afterEach(() => h.stop());

  const expectShape = (actual: unknown, fixtureName: string) =>
    expect(shapeOf(actual)).toEqual(shapeOf(fixture(fixtureName)));

  const qbr = (start: string, end: string): SandboxEventInput => ({
    summary: 'QBR with Logo',
    description: 'Quarterly business review',
    start: { dateTime: start, timeZone: 'Europe/London' },
    end: { dateTime: end, timeZone: 'Europe/London' },
    attendees: [
      { email: ADA, responseStatus: 'accepted' },
      { email: 'tess@logo.com', displayName: 'Tess Ter' },
    ],
  });

  const list = async (params: calendar_v3.Params$Resource$Events$List = {}) =>
    (await calendar.events.list({ calendarId: 'primary', ...params })).data;

  it('events.list: a page with nextPageToken, the last page with nextSyncToken', async () => {
    h.sandbox.insertEvent(ADA, qbr('2026-03-03T15:00:00Z', '2026-03-03T15:30:00Z'));
    h.sandbox.insertEvent(ADA, qbr('2026-03-04T15:00:00Z', '2026-03-04T15:30:00Z'));
    const first = await list({ maxResults: 1 });
    expectShape(first, 'events-list-page.json');
    expectShape(await list({ maxResults: 1, pageToken: first.nextPageToken! }), 'events-list-last-page.json');
  });

  it('events: a recurring instance and the tombstones of a cancelled event and instance', async () => {
    const series = h.sandbox.insertEvent(ADA, {
      summary: 'Weekly sync with Logo',
      start: { dateTime: '2026-03-02T10:00:00Z', timeZone: 'Europe/London' },
      end: { dateTime: '2026-03-02T10:30:00Z', timeZone: 'Europe/London' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
      attendees: [
        { email: ADA, responseStatus: 'accepted' },
        { email: 'tess@logo.com', displayName: 'Tess Ter', responseStatus: 'accepted' },
      ],
    });
    const single = h.sandbox.insertEvent(ADA, qbr('2026-03-03T15:00:00Z', '2026-03-03T15:30:00Z'));
    const { nextSyncToken } = await list({ singleEvents: true });
    h.sandbox.cancelEvent(ADA, single.id);
    h.sandbox.cancelEvent(ADA, `${series.id}_20260309T100000Z`);

    const { items } = await list({ singleEvents: true, syncToken: nextSyncToken! });
    const byId = new Map(items!.map((item) => [item.id, item]));
    expectShape(byId.get(single.id), 'event-cancelled.json');
    expectShape(byId.get(`${series.id}_20260309T100000Z`), 'event-cancelled-instance.json');
    const full = await list({ singleEvents: true });
    expectShape(
      full.items!.find((item) => item.id === `${series.id}_20260302T100000Z`),
      'event-recurring-instance.json',
    );
  });

  it('errors: 401, 403, 429, 500 and 410 bodies are exactly Google’s', async () => {
    const unauthenticated = await fetch(`${h.base}/calendar/v3/calendars/primary/events`);
    expect(await unauthenticated.json()).toEqual(fixture('error-401-invalid-credentials.json'));

    for (const [status, name] of [
      [403, 'error-403-rate-limit.json'],
      [429, 'error-429-rate-limit.json'],
      [500, 'error-500-backend.json'],
    ] as const) {
      h.sandbox.injectFault({ status });
      expect((await failure(calendar.events.list({ calendarId: 'primary' }, { retry: false }))).data).toEqual(
        fixture(name),
      );
    }

    const { nextSyncToken } = await list();
    h.sandbox.invalidateSyncTokens(ADA);
    expect((await failure(list({ syncToken: nextSyncToken! }))).data).toEqual(
      fixture('error-410-full-sync-required.json'),
    );
  });

  it('OAuth: the code exchange, the refresh and invalid_grant', async () => {
    const postToken = async (fields: Record<string, string>): Promise<unknown> => {
      const res = await fetch(`${h.base}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: h.sandbox.clientId,
          client_secret: h.sandbox.clientSecret,
          ...fields,
        }),
      });
      return res.json();
    };
    const code = (await consent(h, oauthClient(h), { email: ADA, prompt: 'consent' })).get('code')!;
    const exchanged = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectShape(exchanged, 'token-response.json');
    const refreshToken = client.credentials.refresh_token!;
    expectShape(
      await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      'token-refresh-response.json',
    );
    h.sandbox.revokeGrant(ADA);
    expect((await failure<OAuthErrorBody>(client.refreshAccessToken())).data).toEqual(
      fixture('error-invalid-grant.json'),
    );
  });

  it('calendars.get, events.watch and the push headers', async () => {
    expectShape((await calendar.calendars.get({ calendarId: 'primary' })).data, 'calendar.json');
    const receiver = await startReceiver();
    try {
      const channel = await calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'ch-1', type: 'web_hook', address: receiver.url, token: 'target=service' },
      });
      expectShape(channel.data, 'channel.json');
      await h.sandbox.idle();
      const received = Object.fromEntries(
        Object.entries(receiver.notifications[0]!.headers).filter(([name]) => name.startsWith('x-goog-')),
      );
      const documented = Object.fromEntries(
        Object.entries(fixture('push-headers.json') as Record<string, string>).map(([name, value]) => [
          name.toLowerCase(),
          value,
        ]),
      );
      expect(shapeOf(received)).toEqual(shapeOf(documented));
    } finally {
      await receiver.stop();
    }
  });
  it('events: a typed private event, a guest copy without the guest list, a cancelled series', async () => {
    h.sandbox.insertEvent(ADA, {
      summary: 'Out of office',
      start: { dateTime: '2026-03-05T09:00:00Z', timeZone: 'Europe/London' },
      end: { dateTime: '2026-03-05T17:00:00Z', timeZone: 'Europe/London' },
      eventType: 'outOfOffice',
      visibility: 'private',
    });
    expectShape((await list()).items![0], 'event-out-of-office-private.json');

    const grace = await connect(h, GRACE);
    h.sandbox.insertSharedEvent([ADA, GRACE], {
      summary: 'QBR with Logo',
      start: { dateTime: '2026-03-03T15:00:00Z', timeZone: 'Europe/London' },
      end: { dateTime: '2026-03-03T15:30:00Z', timeZone: 'Europe/London' },
      attendees: [{ email: ADA, responseStatus: 'accepted' }, { email: GRACE }, { email: 'tess@logo.com' }],
      guestsCanSeeOtherGuests: false,
    });
    const graceCopy = (await grace.calendar.events.list({ calendarId: 'primary' })).data.items![0];
    expectShape(graceCopy, 'event-attendees-omitted.json');

    const series = h.sandbox.insertEvent(ADA, {
      summary: 'Weekly',
      start: { dateTime: '2026-03-02T10:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-03-02T10:30:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    const { nextSyncToken } = await list({ singleEvents: true });
    h.sandbox.cancelEvent(ADA, series.id);
    const { items } = await list({ singleEvents: true, syncToken: nextSyncToken! });
    expectShape(
      items!.find((item) => item.id === series.id),
      'event-cancelled.json',
    );
    expectShape(
      items!.find((item) => item.recurringEventId === series.id),
      'event-cancelled-instance.json',
    );
  });

  it('errors: the 403 reasons, the disabled API and narrow scopes', async () => {
    for (const [reason, name] of [
      ['quotaExceeded', 'error-403-quota-exceeded.json'],
      ['dailyLimitExceeded', 'error-403-daily-limit-exceeded.json'],
      ['forbidden', 'error-403-forbidden.json'],
      ['accessNotConfigured', 'error-403-access-not-configured.json'],
    ] as const) {
      h.sandbox.injectFault({ status: 403, reason });
      expect((await failure(list())).data).toEqual(fixture(name));
    }
    // The observed body names the method it came from (Events.Insert); the sandbox names the one called.
    const scopesBody = fixture('error-403-insufficient-permissions.json') as GoogleErrorBody;
    scopesBody.error.details![0]!.metadata.method = 'calendar.v3.Events.List';
    h.sandbox.injectFault({ status: 403, reason: 'insufficientPermissions' });
    expect((await failure(list())).data).toEqual(scopesBody);

    h.sandbox.disableCalendarApi(true);
    expect((await failure(list())).data).toEqual(fixture('error-403-access-not-configured.json'));
    h.sandbox.disableCalendarApi(false);

    h.sandbox.setGrantedScopes(ADA, []);
    const narrow = oauthClient(h);
    const code = (await consent(h, narrow, { email: ADA, prompt: 'consent' })).get('code')!;
    narrow.setCredentials((await narrow.getToken(code)).tokens);
    expect((await failure(calendarClient(h, narrow).events.list({ calendarId: 'primary' }))).data).toEqual(
      scopesBody,
    );
  });

  it('errors: the watch refusals', async () => {
    const watch = (address: string) =>
      calendar.events.watch({
        calendarId: 'primary',
        requestBody: { id: 'ch-1', type: 'web_hook', address },
      });
    expect((await failure(watch('http://example.com/notifications'))).data).toEqual(
      fixture('error-400-webhook-url-not-https.json'),
    );
    h.sandbox.refuseWatch({ status: 401, reason: 'push.webhookUrlUnauthorized' });
    expect((await failure(watch('https://example.com/notifications'))).data).toEqual(
      fixture('error-401-webhook-url-unauthorized.json'),
    );
    h.sandbox.refuseWatch({ status: 403, reason: 'forbidden' });
    expect((await failure(watch('https://example.com/notifications'))).data).toEqual(
      fixture('error-403-forbidden.json'),
    );
  });

  it('OAuth: the refused client', async () => {
    for (const [refusal, name] of [
      ['invalid_client', 'error-token-invalid-client.json'],
      ['unauthorized_client', 'error-token-unauthorized-client.json'],
    ] as const) {
      h.sandbox.refuseClient(refusal);
      expect((await failure<OAuthErrorBody>(client.refreshAccessToken())).data).toEqual(fixture(name));
    }
  });
});
