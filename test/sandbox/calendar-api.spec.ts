import type { calendar_v3 } from '@googleapis/calendar';

import type { GoogleEvent, SandboxEventInput } from '../../sandbox/google-sandbox';
import {
  ADA,
  calendarClient,
  connect,
  failure,
  GRACE,
  type Harness,
  hours,
  minutes,
  oauthClient,
  startSandbox,
  T0,
} from './harness';

const at = (ms: number): string => new Date(ms).toISOString();

/** A 30-minute meeting `offsetMs` after T0. */
function meeting(
  summary: string,
  offsetMs: number,
  extra: Partial<SandboxEventInput> = {},
): SandboxEventInput {
  return {
    summary,
    start: { dateTime: at(T0 + offsetMs) },
    end: { dateTime: at(T0 + offsetMs + minutes(30)) },
    ...extra,
  };
}

describe('sandbox Calendar API', () => {
  let h: Harness;
  let calendar: calendar_v3.Calendar;
  beforeEach(async () => {
    h = await startSandbox();
    ({ calendar } = await connect(h, ADA));
  });
  afterEach(() => h.stop());

  const list = async (params: calendar_v3.Params$Resource$Events$List = {}) =>
    (await calendar.events.list({ calendarId: 'primary', ...params })).data;

  /** Every page of a listing, as a syncing client walks it. */
  async function listAll(params: calendar_v3.Params$Resource$Events$List = {}) {
    const pages: calendar_v3.Schema$Events[] = [];
    let pageToken: string | undefined;
    do {
      const page = await list({ ...params, ...(pageToken ? { pageToken } : {}) });
      pages.push(page);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return {
      pages,
      items: pages.flatMap((page) => page.items ?? []),
      nextSyncToken: pages.at(-1)!.nextSyncToken!,
    };
  }

  describe('calendars.get and access', () => {
    it('answers the primary calendar, by `primary` and by its email', async () => {
      const expected = { kind: 'calendar#calendar', id: ADA, summary: ADA, timeZone: 'Europe/London' };
      expect((await calendar.calendars.get({ calendarId: 'primary' })).data).toMatchObject(expected);
      expect((await calendar.calendars.get({ calendarId: ADA })).data).toMatchObject(expected);
    });

    it("answers 404 notFound for another user's calendar", async () => {
      const res = await failure(calendar.events.list({ calendarId: GRACE }));
      expect(res.status).toBe(404);
      expect(res.data.error.errors[0]).toEqual({
        domain: 'global',
        reason: 'notFound',
        message: 'Not Found',
      });
    });

    it("answers 401 with Google's body and WWW-Authenticate without or with a dead token", async () => {
      for (const headers of [{}, { Authorization: 'Bearer ya29.not-a-token' }] as Record<string, string>[]) {
        const res = await fetch(`${h.base}/calendar/v3/calendars/primary/events`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        const body = (await res.json()) as { error: { status: string; errors: unknown[] } };
        expect(body.error.status).toBe('UNAUTHENTICATED');
        expect(body.error.errors).toEqual([
          {
            message: 'Invalid Credentials',
            domain: 'global',
            reason: 'authError',
            location: 'Authorization',
            locationType: 'header',
          },
        ]);
      }
    });
  });

  describe('expired access tokens and the real client', () => {
    it('a client that does not know the expiry refreshes on 401 and succeeds', async () => {
      const { client } = await connect(h, ADA);
      const { expiry_date: _unknown, ...stashed } = client.credentials;
      const restarted = oauthClient(h);
      restarted.setCredentials(stashed);
      h.sandbox.expireAccessTokens(ADA);
      h.sandbox.clearRequests();

      const res = await calendarClient(h, restarted).events.list({ calendarId: 'primary' });

      expect(res.status).toBe(200);
      expect(h.sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'GET /calendar/v3/calendars/primary/events 401',
        'POST /token 200',
        'GET /calendar/v3/calendars/primary/events 200',
      ]);
    });

    it('a client that believes its token is fresh refreshes on 401 only with forceRefreshOnFailure', async () => {
      const believing = await connect(h, ADA);
      const forcing = await connect(h, ADA, { forceRefreshOnFailure: true });
      h.sandbox.expireAccessTokens();

      expect((await failure(believing.calendar.events.list({ calendarId: 'primary' }))).status).toBe(401);
      expect((await forcing.calendar.events.list({ calendarId: 'primary' })).status).toBe(200);
    });

    it('a client whose token expiry has passed refreshes before calling', async () => {
      const { client, calendar: cal } = await connect(h, ADA);
      client.setCredentials({ ...client.credentials, expiry_date: Date.now() - 1000 });
      h.sandbox.expireAccessTokens(ADA);
      h.sandbox.clearRequests();
      expect((await cal.events.list({ calendarId: 'primary' })).status).toBe(200);
      expect(h.sandbox.requests.map((r) => r.status)).toEqual([200, 200]);
    });
  });

  describe('events.list paging and sync tokens', () => {
    it('gives nextPageToken on every page but the last and nextSyncToken only on the last', async () => {
      for (let i = 5; i >= 1; i -= 1) h.sandbox.insertEvent(ADA, meeting(`m${i}`, hours(i)));

      const { pages, items } = await listAll({ maxResults: 2 });

      expect(pages.map((page) => page.items!.length)).toEqual([2, 2, 1]);
      expect(
        pages.map((page) => [page.nextPageToken !== undefined, page.nextSyncToken !== undefined]),
      ).toEqual([
        [true, false],
        [true, false],
        [false, true],
      ]);
      expect(items.map((item) => item.summary)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(pages[0]).toMatchObject({ kind: 'calendar#events', summary: ADA, timeZone: 'Europe/London' });
    });

    it('returns changes since a sync token, cancelled events as minimal tombstones', async () => {
      const kept = h.sandbox.insertEvent(ADA, meeting('kept', hours(1)));
      const renamed = h.sandbox.insertEvent(ADA, meeting('before', hours(2)));
      const dropped = h.sandbox.insertEvent(ADA, meeting('dropped', hours(3)));
      const { nextSyncToken } = await listAll();

      const added = h.sandbox.insertEvent(ADA, meeting('added', hours(4)));
      h.sandbox.updateEvent(ADA, renamed.id, { summary: 'after' });
      h.sandbox.cancelEvent(ADA, dropped.id);

      const delta = await listAll({ syncToken: nextSyncToken });
      const byId = new Map(delta.items.map((item) => [item.id, item]));
      expect([...byId.keys()].sort()).toEqual([added.id, renamed.id, dropped.id].sort());
      expect(byId.has(kept.id)).toBe(false);
      expect(byId.get(renamed.id)).toMatchObject({ summary: 'after', sequence: 1, status: 'confirmed' });
      expect(byId.get(dropped.id)).toEqual({
        kind: 'calendar#event',
        etag: expect.stringMatching(/^"\d+"$/),
        id: dropped.id,
        status: 'cancelled',
      });

      const quiet = await listAll({ syncToken: delta.nextSyncToken });
      expect(quiet.items).toEqual([]);
    });

    it('leaves cancelled events out of a full sync unless showDeleted', async () => {
      const dropped = h.sandbox.insertEvent(ADA, meeting('dropped', hours(1)));
      h.sandbox.insertEvent(ADA, meeting('kept', hours(2)));
      h.sandbox.cancelEvent(ADA, dropped.id);

      expect((await listAll()).items.map((item) => item.summary)).toEqual(['kept']);
      const withDeleted = await listAll({ showDeleted: true });
      expect(withDeleted.items.map((item) => item.status)).toEqual(['cancelled', 'confirmed']);
    });

    it('loses nothing written while a listing is paged: the sync token starts where the listing did', async () => {
      h.sandbox.insertEvent(ADA, meeting('a', hours(1)));
      h.sandbox.insertEvent(ADA, meeting('c', hours(3)));
      const first = await list({ maxResults: 1 });
      const early = h.sandbox.insertEvent(ADA, meeting('b-early', hours(0)));
      const second = await list({ maxResults: 1, pageToken: first.nextPageToken! });

      expect(second.items!.map((item) => item.summary)).toEqual(['c']);
      const delta = await listAll({ syncToken: second.nextSyncToken! });
      expect(delta.items.map((item) => item.id)).toEqual([early.id]);
    });

    it('refuses a page token used with another query, or made up', async () => {
      h.sandbox.insertEvent(ADA, meeting('a', hours(1)));
      h.sandbox.insertEvent(ADA, meeting('b', hours(2)));
      const first = await list({ maxResults: 1 });
      for (const params of [{ pageToken: first.nextPageToken!, q: 'a' }, { pageToken: 'bm9wZQ' }]) {
        const res = await failure(list(params));
        expect(res.status).toBe(400);
        expect(res.data.error.errors[0]).toMatchObject({ reason: 'invalid', location: 'pageToken' });
      }
    });

    it('answers 410 fullSyncRequired after invalidateSyncTokens, and for unknown tokens', async () => {
      const { nextSyncToken } = await listAll();
      h.sandbox.invalidateSyncTokens(ADA);
      const grace = await connect(h, GRACE);
      const graceToken = (await grace.calendar.events.list({ calendarId: 'primary' })).data.nextSyncToken!;

      for (const syncToken of [nextSyncToken, 'CPDAlvWDx70CEPDAlvWDx70CGAU=', graceToken]) {
        const res = await failure(list({ syncToken }));
        expect(res.status).toBe(410);
        expect(res.data.error.errors[0]?.reason).toBe('fullSyncRequired');
      }
      const fresh = (await listAll()).nextSyncToken;
      expect((await list({ syncToken: fresh })).items).toEqual([]);
    });

    it.each([
      ['syncToken with timeMin', { timeMin: at(T0) }, 'invalid'],
      ['syncToken with q', { q: 'x' }, 'invalid'],
      ['syncToken with orderBy', { orderBy: 'updated' }, 'invalid'],
    ])('answers 400 for %s', async (_label, params, reason) => {
      const { nextSyncToken } = await listAll();
      const res = await failure(list({ syncToken: nextSyncToken, ...params }));
      expect(res.status).toBe(400);
      expect(res.data.error.errors[0]).toMatchObject({ reason, location: 'syncToken' });
    });

    it.each([
      ['orderBy=startTime without singleEvents', { orderBy: 'startTime' }, 'badRequest'],
      ['an empty time range', { timeMin: at(T0), timeMax: at(T0) }, 'timeRangeEmpty'],
      ['a timeMin without offset', { timeMin: '2026-03-02T09:00:00' }, 'invalid'],
      ['maxResults=0', { maxResults: 0 }, 'invalid'],
      ['singleEvents=yes', { singleEvents: 'yes' as unknown as boolean }, 'invalid'],
    ])('answers 400 for %s', async (_label, params, reason) => {
      const res = await failure(list(params));
      expect(res.status).toBe(400);
      expect(res.data.error.errors[0]?.reason).toBe(reason);
    });
  });

  describe('events.list filters', () => {
    it('keeps events ending after timeMin and starting before timeMax', async () => {
      h.sandbox.insertEvent(ADA, meeting('ends at timeMin', -minutes(30)));
      h.sandbox.insertEvent(ADA, meeting('overlaps timeMin', -minutes(15)));
      h.sandbox.insertEvent(ADA, meeting('inside', hours(1)));
      h.sandbox.insertEvent(ADA, meeting('starts at timeMax', hours(2)));
      const summaries = (await listAll({ timeMin: at(T0), timeMax: at(T0 + hours(2)) })).items.map(
        (i) => i.summary,
      );
      expect(summaries).toEqual(['overlaps timeMin', 'inside']);
    });

    it("places all-day events at midnight of the calendar's zone", async () => {
      // Grace is in New York: 2 March runs from 05:00 UTC on 2 March to 05:00 UTC on 3 March.
      const grace = await connect(h, GRACE);
      h.sandbox.insertEvent(GRACE, {
        summary: 'offsite',
        start: { date: '2026-03-02' },
        end: { date: '2026-03-03' },
      });
      const listed = async (timeMin: string) =>
        (await grace.calendar.events.list({ calendarId: 'primary', timeMin })).data.items!.length;
      expect(await listed('2026-03-03T04:59:00Z')).toBe(1);
      expect(await listed('2026-03-03T05:00:00Z')).toBe(0);
    });

    it('filters by q, iCalUID and updatedMin, and orders by update time', async () => {
      const qbr = h.sandbox.insertEvent(
        ADA,
        meeting('QBR', hours(1), { attendees: [{ email: 'tess@logo.com', displayName: 'Tess Ter' }] }),
      );
      h.clock.advance(minutes(5));
      const standup = h.sandbox.insertEvent(ADA, meeting('Standup', hours(2)));
      h.clock.advance(minutes(5));
      h.sandbox.updateEvent(ADA, qbr.id, { description: 'renewal talk' });

      const summaries = async (params: calendar_v3.Params$Resource$Events$List) =>
        (await listAll(params)).items.map((item) => item.summary);
      expect(await summaries({ q: 'tess renewal' })).toEqual(['QBR']);
      expect(await summaries({ q: 'logo.com standup' })).toEqual([]);
      expect(await summaries({ iCalUID: standup.iCalUID! })).toEqual(['Standup']);
      expect(await summaries({ updatedMin: at(T0 + minutes(7)) })).toEqual(['QBR']);
      expect(await summaries({ orderBy: 'updated' })).toEqual(['Standup', 'QBR']);
    });
  });

  describe('events in several calendars', () => {
    it('shares id and iCalUID; the organizer changes every copy, an attendee only their own', async () => {
      const shared = h.sandbox.insertSharedEvent(
        [ADA, GRACE],
        meeting('QBR', hours(1), {
          attendees: [{ email: ADA }, { email: GRACE }, { email: 'tess@logo.com' }],
        }),
      );
      const grace = await connect(h, GRACE);
      const graceCopy = async (): Promise<GoogleEvent | undefined> =>
        (await grace.calendar.events.list({ calendarId: 'primary', showDeleted: true })).data
          .items?.[0] as GoogleEvent;

      const adaCopy = (await list()).items![0]!;
      expect(adaCopy).toMatchObject({
        id: shared.id,
        iCalUID: shared.iCalUID,
        organizer: { email: ADA, self: true },
      });
      expect(await graceCopy()).toMatchObject({
        id: shared.id,
        iCalUID: shared.iCalUID,
        organizer: { email: ADA },
      });
      expect((await graceCopy())!.organizer!.self).toBeUndefined();
      expect((await graceCopy())!.attendees!.filter((a) => a.self).map((a) => a.email)).toEqual([GRACE]);

      h.sandbox.updateEvent(ADA, shared.id, { summary: 'QBR (moved)' });
      expect((await graceCopy())!.summary).toBe('QBR (moved)');

      h.sandbox.cancelEvent(GRACE, shared.id);
      expect((await graceCopy())!.status).toBe('cancelled');
      expect((await list()).items![0]!.status).toBe('confirmed');
    });
  });
});
