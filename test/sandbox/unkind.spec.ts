import type { Server } from 'node:http';

import type { calendar_v3 } from '@googleapis/calendar';
import express, { type Response } from 'express';

import type { SandboxEventInput, SandboxOptions } from '../../sandbox/google-sandbox';
import { expandRecurrence } from '../../sandbox/recurrence';
import {
  ADA,
  calendarClient,
  close,
  connect,
  days,
  failure,
  GRACE,
  type Harness,
  hours,
  listen,
  minutes,
  type OAuthErrorBody,
  oauthClient,
  type Receiver,
  REDIRECT_URI,
  SCOPE,
  startReceiver,
  startSandbox,
  T0,
} from './harness';

const LOCAL_HOOKS: SandboxOptions = { httpWebhookHosts: ['127.0.0.1'] };
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

const at = (ms: number): string => new Date(ms).toISOString();

/** A webhook that keeps each notification waiting until the test answers it. */
interface HoldingReceiver {
  url: string;
  /** Resolves when the next notification arrives. */
  next(): Promise<void>;
  /** Answers the oldest waiting notification. */
  answer(status: number): void;
  stop(): Promise<void>;
}

async function startHoldingReceiver(): Promise<HoldingReceiver> {
  const waiting: Response[] = [];
  let arrived: (() => void) | null = null;
  const app = express();
  app.post('/hook', (_req, res) => {
    waiting.push(res);
    arrived?.();
  });
  const { server, url }: { server: Server; url: string } = await listen(app);
  return {
    url: `${url}/hook`,
    next: () => new Promise<void>((resolve) => (arrived = resolve)),
    answer: (status) => waiting.shift()!.status(status).end(),
    stop: () => close(server),
  };
}

/** Whether a promise has settled after `ms` of real time. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}

describe('the sandbox is as unkind as Google documents', () => {
  let h: Harness;
  let calendar: calendar_v3.Calendar;
  let receiver: Receiver;

  async function start(options: SandboxOptions = LOCAL_HOOKS): Promise<void> {
    h = await startSandbox(options);
    ({ calendar } = await connect(h, ADA));
  }

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.stop();
    await receiver.stop();
  });

  const watch = (id: string, extra: calendar_v3.Schema$Channel = {}, cal = calendar) =>
    cal.events.watch({
      calendarId: 'primary',
      requestBody: { id, type: 'web_hook', address: receiver.url, ...extra },
    });

  const list = async (params: calendar_v3.Params$Resource$Events$List = {}, cal = calendar) =>
    (await cal.events.list({ calendarId: 'primary', ...params })).data;

  /** Walks every page, as a syncing client does, and returns the sync token of the last. */
  async function syncTokenAfterAll(params: calendar_v3.Params$Resource$Events$List): Promise<string> {
    let page = await list({ ...params, maxResults: 2500 });
    while (page.nextPageToken)
      page = await list({ ...params, maxResults: 2500, pageToken: page.nextPageToken });
    return page.nextSyncToken!;
  }

  describe('1. channel ttl: the more restrictive of the asked ttl and Google’s limit', () => {
    it('grants 7 days by default, less when asked, never more', async () => {
      await start();
      expect((await watch('ch-1')).data.expiration).toBe(String(T0 + days(7)));
      expect((await watch('ch-2', { params: { ttl: '3600' } })).data.expiration).toBe(String(T0 + hours(1)));
      expect((await watch('ch-3', { params: { ttl: String(30 * 86_400) } })).data.expiration).toBe(
        String(T0 + days(7)),
      );
      await h.sandbox.idle();
      expect(receiver.notifications[2]!.headers['x-goog-channel-expiration']).toBe(
        new Date(T0 + days(7)).toUTCString(),
      );
    });

    it('follows maxChannelTtlSeconds', async () => {
      await start({ ...LOCAL_HOOKS, maxChannelTtlSeconds: 3600 });
      expect((await watch('ch-1')).data.expiration).toBe(String(T0 + hours(1)));
      expect((await watch('ch-2', { params: { ttl: '60' } })).data.expiration).toBe(String(T0 + 60_000));
      expect(h.sandbox.channels(ADA).map((channel) => channel.expiration)).toEqual([
        T0 + hours(1),
        T0 + 60_000,
      ]);
      await h.sandbox.idle();
    });
  });

  describe('2. webhook address: HTTPS only', () => {
    it('refuses plain http by default, and anything that is not an absolute URL', async () => {
      await start({});
      for (const address of [receiver.url, '/hook', 'example.com/hook', 'ftp://example.com/hook']) {
        const refused = await failure(watch('ch-1', { address }));
        expect(refused).toEqual({
          status: 400,
          data: {
            error: {
              code: 400,
              message: `WebHook callback must be HTTPS: ${address}`,
              errors: [
                {
                  domain: 'global',
                  reason: 'push.webhookUrlNotHttps',
                  message: `WebHook callback must be HTTPS: ${address}`,
                },
              ],
            },
          },
        });
      }
      expect(h.sandbox.channels()).toEqual([]);
      expect(receiver.notifications).toEqual([]);
    });

    it('accepts https, and http only to the hosts in httpWebhookHosts', async () => {
      await start({ httpWebhookHosts: ['127.0.0.1'] });
      // Nothing listens on port 1: the channel opens, its sync simply fails.
      expect((await watch('ch-1', { address: 'https://127.0.0.1:1/hook' })).status).toBe(200);
      expect((await watch('ch-2')).status).toBe(200);
      const elsewhere = receiver.url.replace('127.0.0.1', 'localhost');
      expect((await failure(watch('ch-3', { address: elsewhere }))).status).toBe(400);
      await h.sandbox.idle();
      expect(h.sandbox.pushResults.map((r) => [r.channelId, r.status])).toEqual(
        expect.arrayContaining([
          ['ch-1', null],
          ['ch-2', 200],
        ]),
      );
    });
  });

  describe('3. refused watches', () => {
    it('answers 401 push.webhookUrlUnauthorized or 403 forbidden while set, opening no channel', async () => {
      await start();
      h.sandbox.refuseWatch({ status: 401, reason: 'push.webhookUrlUnauthorized' });
      const unauthorized = await failure(watch('ch-1'));
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.data.error.errors).toEqual([
        {
          domain: 'global',
          reason: 'push.webhookUrlUnauthorized',
          message: `Unauthorized WebHook callback channel: ${receiver.url}`,
        },
      ]);

      h.sandbox.refuseWatch({ status: 403, reason: 'forbidden' });
      const forbidden = await failure(watch('ch-1'));
      expect(forbidden.status).toBe(403);
      expect(forbidden.data.error.errors).toEqual([
        { domain: 'global', reason: 'forbidden', message: 'Forbidden' },
      ]);
      expect(h.sandbox.channels()).toEqual([]);
      await h.sandbox.idle();
      expect(receiver.notifications).toEqual([]);

      h.sandbox.refuseWatch(null);
      expect((await watch('ch-1')).status).toBe(200);
      expect(h.sandbox.channels(ADA)).toHaveLength(1);
    });
  });

  describe('4. the sync message arrives before the watch answer', () => {
    it('by default the sync has been delivered when the watch call returns', async () => {
      await start();
      await watch('ch-1');
      expect(receiver.notifications.map((n) => n.headers['x-goog-resource-state'])).toEqual(['sync']);
      await h.sandbox.idle();
      expect(h.sandbox.pushResults).toEqual([
        { channelId: 'ch-1', resourceState: 'sync', messageNumber: 1, status: 200, attempts: 1 },
      ]);
    });

    it('holds the answer until the first attempt of the sync is answered, not its retries', async () => {
      await start();
      const holding = await startHoldingReceiver();
      try {
        const arrived = holding.next();
        const watched = watch('ch-1', { address: holding.url });
        await arrived;
        expect(await settledWithin(watched, 100)).toBe(false);

        const retried = holding.next();
        holding.answer(503);
        expect((await watched).status).toBe(200);
        await retried;
        holding.answer(200);
        await h.sandbox.idle();
        expect(h.sandbox.pushResults).toEqual([
          { channelId: 'ch-1', resourceState: 'sync', messageNumber: 1, status: 200, attempts: 2 },
        ]);
      } finally {
        await holding.stop();
      }
    });

    it('with syncBeforeWatchAnswer: false, answers first and sends the sync after', async () => {
      await start({ ...LOCAL_HOOKS, syncBeforeWatchAnswer: false });
      const holding = await startHoldingReceiver();
      try {
        const arrived = holding.next();
        expect((await watch('ch-1', { address: holding.url })).status).toBe(200);
        await arrived;
        holding.answer(200);
        await h.sandbox.idle();
        expect(h.sandbox.pushResults).toEqual([
          expect.objectContaining({ resourceState: 'sync', status: 200 }),
        ]);
      } finally {
        await holding.stop();
      }
    });
  });

  describe('5. event types and visibility', () => {
    beforeEach(() => start());

    const timed = (summary: string, extra: Partial<SandboxEventInput> = {}): SandboxEventInput => ({
      summary,
      start: { dateTime: at(T0 + hours(1)) },
      end: { dateTime: at(T0 + hours(2)) },
      ...extra,
    });

    it('echoes eventType (default `default`), and visibility and guestsCanSeeOtherGuests only when set', async () => {
      for (const eventType of ['outOfOffice', 'focusTime', 'workingLocation', 'fromGmail'] as const) {
        h.sandbox.insertEvent(ADA, timed(eventType, { eventType }));
      }
      h.sandbox.insertEvent(ADA, {
        summary: 'birthday',
        start: { date: '2026-03-04' },
        end: { date: '2026-03-05' },
        eventType: 'birthday',
      });
      h.sandbox.insertEvent(ADA, timed('plain'));
      h.sandbox.insertEvent(ADA, timed('private', { visibility: 'private', guestsCanSeeOtherGuests: true }));

      const bySummary = new Map((await list()).items!.map((item) => [item.summary, item]));
      for (const eventType of ['outOfOffice', 'focusTime', 'workingLocation', 'fromGmail', 'birthday']) {
        expect(bySummary.get(eventType)!.eventType).toBe(eventType);
      }
      const plain = bySummary.get('plain')!;
      expect(plain.eventType).toBe('default');
      expect('visibility' in plain || 'guestsCanSeeOtherGuests' in plain).toBe(false);
      expect(bySummary.get('private')).toMatchObject({
        visibility: 'private',
        guestsCanSeeOtherGuests: true,
      });
    });

    it('keeps eventType fixed after creation; visibility may change', () => {
      const event = h.sandbox.insertEvent(ADA, timed('focus', { eventType: 'focusTime' }));
      expect(() => h.sandbox.updateEvent(ADA, event.id, { eventType: 'default' })).toThrow(/eventType/);
      expect(h.sandbox.updateEvent(ADA, event.id, { visibility: 'confidential' }).visibility).toBe(
        'confidential',
      );
      expect(() => h.sandbox.insertEvent(ADA, timed('timed birthday', { eventType: 'birthday' }))).toThrow(
        /all-day/,
      );
    });
  });

  describe('6. hidden guest lists and responses', () => {
    let grace: calendar_v3.Calendar;
    beforeEach(async () => {
      await start();
      ({ calendar: grace } = await connect(h, GRACE));
    });

    const hidden = (extra: Partial<SandboxEventInput> = {}): SandboxEventInput => ({
      summary: 'QBR',
      start: { dateTime: at(T0 + hours(1)) },
      end: { dateTime: at(T0 + hours(2)) },
      attendees: [{ email: ADA, responseStatus: 'accepted' }, { email: GRACE }, { email: 'tess@logo.com' }],
      guestsCanSeeOtherGuests: false,
      ...extra,
    });

    it("shows a guest only their own entry; the organizer's copy lists everyone", async () => {
      const event = h.sandbox.insertSharedEvent([ADA, GRACE], hidden());
      const graceCopy = (await list({}, grace)).items![0]!;
      expect(graceCopy).toMatchObject({
        id: event.id,
        attendees: [{ email: GRACE, self: true, responseStatus: 'needsAction' }],
        attendeesOmitted: true,
        guestsCanSeeOtherGuests: false,
      });
      expect((await list({ q: 'tess' }, grace)).items).toEqual([]);

      const adaCopy = (await list()).items![0]!;
      expect(adaCopy.attendees!.map((a) => a.email)).toEqual([ADA, GRACE, 'tess@logo.com']);
      expect(adaCopy.attendeesOmitted).toBeUndefined();

      // The organizer shows the list again: the guest's copy has it whole.
      h.sandbox.updateEvent(ADA, event.id, { guestsCanSeeOtherGuests: true });
      const shown = (await list({}, grace)).items![0]!;
      expect(shown.attendees).toHaveLength(3);
      expect(shown.attendeesOmitted).toBeUndefined();
    });

    it('respond() changes the response in every copy with a new `updated` and the same sequence', async () => {
      const event = h.sandbox.insertSharedEvent([ADA, GRACE], hidden());
      const adaToken = (await list()).nextSyncToken!;
      const graceToken = (await list({}, grace)).nextSyncToken!;
      h.clock.advance(minutes(5));

      h.sandbox.respond(GRACE, event.id, 'declined');

      const adaDelta = (await list({ syncToken: adaToken })).items!;
      const graceDelta = (await list({ syncToken: graceToken }, grace)).items!;
      expect(adaDelta.map((item) => item.id)).toEqual([event.id]);
      expect(adaDelta[0]!.attendees!.find((a) => a.email === GRACE)!.responseStatus).toBe('declined');
      expect(graceDelta[0]!.attendees).toEqual([{ email: GRACE, self: true, responseStatus: 'declined' }]);
      for (const copy of [adaDelta[0]!, graceDelta[0]!]) {
        expect(copy).toMatchObject({ sequence: 0, updated: at(T0 + minutes(5)) });
        expect(copy.etag).not.toBe(event.etag);
      }
      // A copy its owner deleted stays deleted.
      h.sandbox.cancelEvent(GRACE, event.id);
      h.sandbox.respond(ADA, event.id, 'tentative');
      expect((await list({ showDeleted: true }, grace)).items![0]!.status).toBe('cancelled');
      expect(() => h.sandbox.respond(GRACE, event.id, 'accepted')).toThrow(/not invited/);
      expect(() => h.sandbox.respond(ADA, 'nosuchevent', 'accepted')).toThrow();
      const notInvited = h.sandbox.insertEvent(ADA, hidden({ attendees: [{ email: 'tess@logo.com' }] }));
      expect(() => h.sandbox.respond(ADA, notInvited.id, 'accepted')).toThrow(/not invited/);
    });

    it('answers for a whole series, its instances and exceptions included', async () => {
      const series = h.sandbox.insertSharedEvent(
        [ADA, GRACE],
        hidden({
          start: { dateTime: '2026-03-02T10:00:00Z', timeZone: 'UTC' },
          end: { dateTime: '2026-03-02T11:00:00Z', timeZone: 'UTC' },
          recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
        }),
      );
      h.sandbox.updateEvent(ADA, `${series.id}_20260309T100000Z`, { summary: 'QBR (special)' });
      h.sandbox.respond(GRACE, series.id, 'tentative');

      for (const cal of [calendar, grace]) {
        const items = (await list({ singleEvents: true }, cal)).items!;
        expect(items).toHaveLength(3);
        for (const item of items) {
          expect(item.attendees!.find((a) => a.email === GRACE)!.responseStatus).toBe('tentative');
          expect(item.sequence).toBe(item.summary === 'QBR (special)' ? 1 : 0);
        }
      }
      // One instance only: it becomes an exception in both copies.
      h.sandbox.respond(GRACE, `${series.id}_20260316T100000Z`, 'accepted');
      const graceItems = (await list({ singleEvents: true }, grace)).items!;
      expect(graceItems.map((item) => item.attendees![0]!.responseStatus)).toEqual([
        'tentative',
        'tentative',
        'accepted',
      ]);
    });

    it('with autoPush, notifies every changed calendar', async () => {
      const event = h.sandbox.insertSharedEvent([ADA, GRACE], hidden());
      await watch('ada-1');
      await watch('grace-1', {}, grace);
      h.sandbox.autoPush(true);
      h.sandbox.respond(GRACE, event.id, 'accepted');
      await h.sandbox.idle();
      expect(
        receiver.notifications
          .filter((n) => n.headers['x-goog-resource-state'] === 'exists')
          .map((n) => n.headers['x-goog-channel-id'])
          .sort(),
      ).toEqual(['ada-1', 'grace-1']);
    });
  });

  describe('7. open-ended series are bounded only by timeMax', () => {
    beforeEach(() => start());

    const weekly = () =>
      h.sandbox.insertEvent(ADA, {
        summary: 'Weekly',
        start: { dateTime: '2026-03-02T10:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2026-03-02T10:30:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=WEEKLY'],
      });

    it('lists instances years ahead without timeMax', async () => {
      const series = weekly();
      const { items } = await list({ singleEvents: true, maxResults: 2500 });
      expect(items!.length).toBeGreaterThan(500);
      expect(items!.at(-1)!.start!.dateTime! >= '2036-01-01').toBe(true);
      expect(items!.every((item) => item.recurringEventId === series.id)).toBe(true);
    });

    it('stops at timeMax, yet lists an instance moved into the window from beyond it', async () => {
      const series = weekly();
      h.sandbox.updateEvent(ADA, `${series.id}_20260601T100000Z`, {
        start: { dateTime: '2026-03-10T15:00:00Z' },
        end: { dateTime: '2026-03-10T16:00:00Z' },
      });
      const { items } = await list({
        singleEvents: true,
        orderBy: 'startTime',
        timeMin: at(T0),
        timeMax: '2026-03-17T00:00:00Z',
      });
      expect(items!.map((item) => item.id)).toEqual([
        `${series.id}_20260302T100000Z`,
        `${series.id}_20260309T100000Z`,
        `${series.id}_20260601T100000Z`,
        `${series.id}_20260316T100000Z`,
      ]);
    });

    it('expands no further than asked', () => {
      const starts = expandRecurrence(
        { start: { utcMs: T0, timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=DAILY'] },
        T0 + days(3650),
        T0 + days(3),
      );
      expect(starts).toHaveLength(3);
    });
  });

  describe('8. a cancelled series is reported partly', () => {
    beforeEach(() => start());

    it("lists the series' tombstone and only the instances starting in the 7 days after now", async () => {
      const series = h.sandbox.insertEvent(ADA, {
        summary: 'Daily',
        start: { dateTime: '2026-02-20T10:00:00Z', timeZone: 'UTC' },
        end: { dateTime: '2026-02-20T10:15:00Z', timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=DAILY'],
      });
      const token = await syncTokenAfterAll({ singleEvents: true });
      h.clock.advance(days(1));
      h.sandbox.cancelEvent(ADA, series.id);
      ({ calendar } = await connect(h, ADA)); // the day outlived the access token

      const { items } = await list({ singleEvents: true, syncToken: token });
      // Now is 3 March 09:00Z: the instances of 3 to 9 March at 10:00Z.
      expect(items!.map((item) => item.id)).toEqual([
        series.id,
        ...['03', '04', '05', '06', '07', '08', '09'].map((day) => `${series.id}_202603${day}T100000Z`),
      ]);
      expect(items![0]).toEqual({
        kind: 'calendar#event',
        etag: expect.any(String),
        id: series.id,
        status: 'cancelled',
      });
      expect(
        items!.slice(1).every((item) => item.status === 'cancelled' && item.recurringEventId === series.id),
      ).toBe(true);

      // Without singleEvents, the series' tombstone alone, as before.
      expect((await list({ syncToken: token })).items).toEqual([items![0]]);
    });
  });

  describe('9 and 10. error reasons, and the Calendar API switched off', () => {
    beforeEach(() => start());

    it.each([
      ['quotaExceeded', 'usageLimits', 'Calendar usage limits exceeded.'],
      ['dailyLimitExceeded', 'usageLimits', 'Daily Limit Exceeded'],
      ['forbidden', 'global', 'Forbidden'],
      ['rateLimitExceeded', 'usageLimits', 'Rate Limit Exceeded'],
      ['userRateLimitExceeded', 'usageLimits', 'User Rate Limit Exceeded'],
    ])('injects 403 %s in its domain with its message', async (reason, domain, message) => {
      h.sandbox.injectFault({ status: 403, reason });
      const { data } = await failure(list());
      expect(data).toEqual({ error: { code: 403, message, errors: [{ domain, reason, message }] } });
    });

    it('injects 403 insufficientPermissions with its status and ErrorInfo naming the method', async () => {
      h.sandbox.injectFault({ status: 403, reason: 'insufficientPermissions' });
      const { data } = await failure(list());
      expect(data.error).toMatchObject({
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }],
        status: 'PERMISSION_DENIED',
        details: [
          expect.objectContaining({
            metadata: expect.objectContaining({ method: 'calendar.v3.Events.List' }),
          }),
        ],
      });
    });

    it('answers every authenticated call 403 accessNotConfigured while the API is disabled', async () => {
      const { data: channel } = await watch('ch-1');
      h.sandbox.disableCalendarApi(true);
      const calls: Array<Promise<unknown>> = [
        calendar.calendars.get({ calendarId: 'primary' }),
        list(),
        watch('ch-2'),
        calendar.channels.stop({ requestBody: { id: 'ch-1', resourceId: channel.resourceId } }),
      ];
      for (const call of calls) {
        const { status, data } = await failure(call);
        expect(status).toBe(403);
        expect(data.error.errors[0]).toMatchObject({
          domain: 'usageLimits',
          reason: 'accessNotConfigured',
          extendedHelp: expect.stringMatching(/^https:\/\/console\.developers\.google\.com\//),
        });
      }
      const unauthenticated = await fetch(`${h.base}/calendar/v3/calendars/primary/events`);
      expect(unauthenticated.status).toBe(401);

      h.sandbox.disableCalendarApi(false);
      expect((await list()).kind).toBe('calendar#events');
      await h.sandbox.idle();
    });
  });

  describe('11. scopes are enforced', () => {
    beforeEach(() => start());

    /** Consents as Ada to `scope`, with a forced consent screen, and returns the redirect's scope and tokens. */
    async function consentTo(scope: string[]) {
      h.sandbox.setConsentingUser(ADA);
      const client = oauthClient(h);
      const url = client.generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope });
      const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
      const { tokens } = await client.getToken(location.searchParams.get('code')!);
      client.setCredentials(tokens);
      return {
        redirected: location.searchParams.get('scope'),
        tokens,
        client,
        cal: calendarClient(h, client),
      };
    }

    it('grants only the ticked scopes: the redirect and the token say so, and the API refuses', async () => {
      h.sandbox.setGrantedScopes(ADA, ['openid', 'email', 'https://www.googleapis.com/auth/drive']);
      const narrow = await consentTo(['openid', 'email', SCOPE]);
      expect(narrow.redirected).toBe('openid email');
      expect(narrow.tokens.scope).toBe('openid email');

      const refused = await failure(narrow.cal.events.list({ calendarId: 'primary' }));
      expect(refused.status).toBe(403);
      expect(refused.data.error).toMatchObject({
        message: 'Request had insufficient authentication scopes.',
        errors: [{ domain: 'global', reason: 'insufficientPermissions', message: 'Insufficient Permission' }],
        status: 'PERMISSION_DENIED',
      });
      const refreshed = await narrow.client.refreshAccessToken();
      expect(refreshed.credentials.scope).toBe('openid email');

      h.sandbox.setGrantedScopes(ADA, null);
      const whole = await consentTo(['openid', 'email', SCOPE]);
      expect(whole.tokens.scope).toBe(`openid email ${SCOPE}`);
      expect((await whole.cal.events.list({ calendarId: 'primary' })).status).toBe(200);
    });

    it('accepts the full calendar scope as well as the read-only one', async () => {
      const full = await consentTo([CALENDAR_SCOPE]);
      expect((await full.cal.calendars.get({ calendarId: 'primary' })).status).toBe(200);
    });

    it('restoreGrant keeps its scope', async () => {
      const restored = oauthClient(h);
      h.sandbox.restoreGrant(ADA, '1//0restored-narrow', 'openid');
      restored.setCredentials({ refresh_token: '1//0restored-narrow' });
      expect(
        (await failure(calendarClient(h, restored).calendars.get({ calendarId: 'primary' }))).status,
      ).toBe(403);
      h.sandbox.restoreGrant(ADA, '1//0restored');
      restored.setCredentials({ refresh_token: '1//0restored' });
      expect((await calendarClient(h, restored).calendars.get({ calendarId: 'primary' })).status).toBe(200);
    });
  });

  describe('12. the OAuth client refused', () => {
    beforeEach(() => start());

    it.each(['invalid_client', 'unauthorized_client'] as const)(
      'answers every token request 401 %s while set',
      async (error) => {
        const { client } = await connect(h, ADA);
        h.sandbox.setConsentingUser(ADA);
        const fresh = oauthClient(h);
        const location = new URL(
          (await fetch(fresh.generateAuthUrl({ scope: SCOPE }), { redirect: 'manual' })).headers.get(
            'location',
          )!,
        );
        h.sandbox.refuseClient(error);

        const expected = { status: 401, data: { error, error_description: 'Unauthorized' } };
        expect(await failure<OAuthErrorBody>(fresh.getToken(location.searchParams.get('code')!))).toEqual(
          expected,
        );
        expect(await failure<OAuthErrorBody>(client.refreshAccessToken())).toEqual(expected);
        const raw = await fetch(`${h.base}/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'x',
            redirect_uri: REDIRECT_URI,
          }),
        });
        expect(raw.status).toBe(401);

        h.sandbox.refuseClient(null);
        expect((await client.refreshAccessToken()).credentials.access_token).toMatch(/^ya29\./);
      },
    );
  });
});
