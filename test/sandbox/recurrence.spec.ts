import type { calendar_v3 } from '@googleapis/calendar';

import { expandRecurrence, RecurrenceError } from '../../sandbox/recurrence';
import { ADA, connect, days, type Harness, startSandbox, T0 } from './harness';

const FAR = Date.parse('2030-01-01T00:00:00Z');
const isoStarts = (starts: ReturnType<typeof expandRecurrence>): string[] =>
  starts.map((start) => ('date' in start ? start.date : new Date(start.utcMs).toISOString()));

describe('recurrence expansion', () => {
  const timed = (startIso: string, timeZone: string, recurrence: string[], horizonMs = FAR) =>
    isoStarts(expandRecurrence({ start: { utcMs: Date.parse(startIso), timeZone }, recurrence }, horizonMs));

  it('expands WEEKLY with BYDAY and COUNT', () => {
    expect(timed('2026-03-02T10:00:00Z', 'UTC', ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5'])).toEqual([
      '2026-03-02T10:00:00.000Z',
      '2026-03-04T10:00:00.000Z',
      '2026-03-09T10:00:00.000Z',
      '2026-03-11T10:00:00.000Z',
      '2026-03-16T10:00:00.000Z',
    ]);
  });

  it('keeps the wall-clock hour of the series zone across a DST change', () => {
    // London moves to summer time on 29 March 2026: 09:00 local is 09:00Z before and 08:00Z after.
    expect(timed('2026-03-27T09:00:00Z', 'Europe/London', ['RRULE:FREQ=DAILY;COUNT=4'])).toEqual([
      '2026-03-27T09:00:00.000Z',
      '2026-03-28T09:00:00.000Z',
      '2026-03-29T08:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
    ]);
  });

  it('steps INTERVAL weeks and stops at an inclusive UNTIL', () => {
    expect(
      timed('2026-03-02T10:00:00Z', 'UTC', ['RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20260330T100000Z']),
    ).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-16T10:00:00.000Z', '2026-03-30T10:00:00.000Z']);
    expect(timed('2026-03-02T10:00:00Z', 'UTC', ['RRULE:FREQ=DAILY;UNTIL=20260303'])).toHaveLength(2);
  });

  it('skips months without the day for MONTHLY on the 31st', () => {
    expect(timed('2026-01-31T10:00:00Z', 'UTC', ['RRULE:FREQ=MONTHLY;COUNT=3'])).toEqual([
      '2026-01-31T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-05-31T10:00:00.000Z',
    ]);
  });

  it('removes EXDATEs (in any form) after counting them towards COUNT', () => {
    expect(
      timed('2026-03-02T10:00:00Z', 'Europe/London', [
        'RRULE:FREQ=DAILY;COUNT=5',
        'EXDATE;TZID=Europe/London:20260303T100000',
        'EXDATE:20260305T100000Z',
      ]),
    ).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-04T10:00:00.000Z', '2026-03-06T10:00:00.000Z']);
  });

  it('expands all-day series by date', () => {
    const starts = expandRecurrence(
      {
        start: { date: '2026-03-02' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3', 'EXDATE;VALUE=DATE:20260309'],
      },
      FAR,
    );
    expect(isoStarts(starts)).toEqual(['2026-03-02', '2026-03-16']);
  });

  it('stops an open-ended series at the horizon', () => {
    expect(timed('2026-03-02T10:00:00Z', 'UTC', ['RRULE:FREQ=DAILY'], T0 + days(10))).toHaveLength(10);
  });

  it.each([
    ['FREQ=YEARLY', ['RRULE:FREQ=YEARLY']],
    ['BYSETPOS', ['RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1']],
    ['monthly BYDAY', ['RRULE:FREQ=MONTHLY;BYDAY=1MO']],
    ['COUNT with UNTIL', ['RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260310']],
    ['RDATE', ['RRULE:FREQ=DAILY', 'RDATE:20260310T100000Z']],
    ['no RRULE', ['EXDATE:20260310T100000Z']],
  ])('refuses what it cannot expand faithfully: %s', (_label, recurrence) => {
    expect(() => timed('2026-03-02T10:00:00Z', 'UTC', recurrence)).toThrow(RecurrenceError);
  });
});

describe('recurring events through events.list', () => {
  let h: Harness;
  let calendar: calendar_v3.Calendar;
  beforeEach(async () => {
    h = await startSandbox({ expansionHorizonDays: 30 });
    ({ calendar } = await connect(h, ADA));
  });
  afterEach(() => h.stop());

  const list = async (params: calendar_v3.Params$Resource$Events$List) =>
    (await calendar.events.list({ calendarId: 'primary', ...params })).data;

  /** Weekly on Monday 10:00 London time (10:00Z in March), four times, from 2 March 2026. */
  function weeklySync() {
    return h.sandbox.insertEvent(ADA, {
      summary: 'Weekly sync',
      start: { dateTime: '2026-03-02T10:00:00', timeZone: 'Europe/London' },
      end: { dateTime: '2026-03-02T10:30:00', timeZone: 'Europe/London' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
      attendees: [{ email: 'tess@logo.com' }],
    });
  }

  it('expands a series into instances with Google ids, recurringEventId and originalStartTime', async () => {
    const series = weeklySync();
    const { items } = await list({ singleEvents: true, orderBy: 'startTime' });
    expect(items!.map((item) => item.id)).toEqual([
      `${series.id}_20260302T100000Z`,
      `${series.id}_20260309T100000Z`,
      `${series.id}_20260316T100000Z`,
      `${series.id}_20260323T100000Z`,
    ]);
    expect(items![1]).toMatchObject({
      recurringEventId: series.id,
      iCalUID: series.iCalUID,
      summary: 'Weekly sync',
      start: { dateTime: '2026-03-09T10:00:00Z', timeZone: 'Europe/London' },
      end: { dateTime: '2026-03-09T10:30:00Z', timeZone: 'Europe/London' },
      originalStartTime: { dateTime: '2026-03-09T10:00:00Z', timeZone: 'Europe/London' },
    });
    expect(items![1]!.recurrence).toBeUndefined();
  });

  it('replaces a moved instance and drops a cancelled one; showDeleted shows its tombstone', async () => {
    const series = weeklySync();
    const moved = `${series.id}_20260309T100000Z`;
    const cancelled = `${series.id}_20260316T100000Z`;
    h.sandbox.updateEvent(ADA, moved, {
      start: { dateTime: '2026-03-25T15:00:00Z' },
      end: { dateTime: '2026-03-25T16:00:00Z' },
    });
    h.sandbox.cancelEvent(ADA, cancelled);

    const { items } = await list({ singleEvents: true, orderBy: 'startTime' });
    expect(items!.map((item) => item.id)).toEqual([
      `${series.id}_20260302T100000Z`,
      `${series.id}_20260323T100000Z`,
      moved,
    ]);
    expect(items![2]).toMatchObject({
      start: { dateTime: '2026-03-25T15:00:00Z' },
      originalStartTime: { dateTime: '2026-03-09T10:00:00Z' },
      recurringEventId: series.id,
      sequence: 1,
    });

    const withDeleted = await list({ singleEvents: true, showDeleted: true });
    expect(withDeleted.items!.find((item) => item.id === cancelled)).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: cancelled,
      status: 'cancelled',
      recurringEventId: series.id,
      originalStartTime: { dateTime: '2026-03-16T10:00:00Z', timeZone: 'Europe/London' },
    });
  });

  it('without singleEvents lists the series with its rule plus its exceptions, cancelled ones included', async () => {
    const series = weeklySync();
    h.sandbox.updateEvent(ADA, `${series.id}_20260309T100000Z`, { summary: 'Special sync' });
    h.sandbox.cancelEvent(ADA, `${series.id}_20260316T100000Z`);

    const { items } = await list({});
    const byId = new Map(items!.map((item) => [item.id, item]));
    expect(byId.get(series.id)!.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=4']);
    expect(byId.get(`${series.id}_20260309T100000Z`)).toMatchObject({ summary: 'Special sync' });
    expect(byId.get(`${series.id}_20260316T100000Z`)!.status).toBe('cancelled');
    expect(byId.size).toBe(3);
  });

  it('lists a series without singleEvents when any occurrence is in the time window', async () => {
    weeklySync();
    expect((await list({ timeMin: '2026-03-20T00:00:00Z' })).items).toHaveLength(1);
    expect((await list({ timeMin: '2026-03-24T00:00:00Z' })).items).toHaveLength(0);
  });

  it('expands open-ended series up to the horizon and all-day series by date', async () => {
    const daily = h.sandbox.insertEvent(ADA, {
      summary: 'Daily',
      start: { dateTime: '2026-03-02T08:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-03-02T08:15:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=DAILY'],
    });
    const offsite = h.sandbox.insertEvent(ADA, {
      summary: 'Offsite',
      start: { date: '2026-03-05' },
      end: { date: '2026-03-07' },
      recurrence: ['RRULE:FREQ=MONTHLY;COUNT=2'],
    });
    const { items } = await list({ singleEvents: true, maxResults: 2500 });
    // 08:00 daily from 2 March up to the horizon, 1 April 09:00: 2 March to 1 April inclusive.
    expect(items!.filter((item) => item.recurringEventId === daily.id)).toHaveLength(31);
    expect(items!.filter((item) => item.recurringEventId === offsite.id)).toEqual([
      expect.objectContaining({
        id: `${offsite.id}_20260305`,
        start: { date: '2026-03-05' },
        end: { date: '2026-03-07' },
        originalStartTime: { date: '2026-03-05' },
      }),
      expect.objectContaining({ id: `${offsite.id}_20260405`, start: { date: '2026-04-05' } }),
    ]);

    h.sandbox.updateEvent(ADA, `${offsite.id}_20260405`, {
      start: { date: '2026-04-06' },
      end: { date: '2026-04-07' },
    });
    const moved = (await list({ singleEvents: true, iCalUID: offsite.iCalUID! })).items!.at(-1);
    expect(moved).toMatchObject({
      id: `${offsite.id}_20260405`,
      start: { date: '2026-04-06' },
      originalStartTime: { date: '2026-04-05' },
    });
  });

  describe('incremental sync with singleEvents', () => {
    async function syncToken(): Promise<string> {
      return (await list({ singleEvents: true })).nextSyncToken!;
    }

    it('returns every instance of a changed series', async () => {
      const series = weeklySync();
      const token = await syncToken();
      h.sandbox.updateEvent(ADA, series.id, { summary: 'Weekly sync (renamed)' });
      const { items } = await list({ singleEvents: true, syncToken: token });
      expect(items!.map((item) => [item.id, item.summary])).toEqual(
        ['20260302', '20260309', '20260316', '20260323'].map((day) => [
          `${series.id}_${day}T100000Z`,
          'Weekly sync (renamed)',
        ]),
      );
    });

    it('returns only the exception when one instance changes', async () => {
      const series = weeklySync();
      const token = await syncToken();
      h.sandbox.cancelEvent(ADA, `${series.id}_20260309T100000Z`);
      const { items } = await list({ singleEvents: true, syncToken: token });
      expect(items).toEqual([
        expect.objectContaining({ id: `${series.id}_20260309T100000Z`, status: 'cancelled' }),
      ]);
    });

    it('cancels the instances a series no longer has', async () => {
      const series = weeklySync();
      const token = await syncToken();
      h.sandbox.updateEvent(ADA, series.id, { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'] });
      const { items } = await list({ singleEvents: true, syncToken: token });
      expect(items!.map((item) => [item.id!.slice(-16), item.status])).toEqual([
        ['20260302T100000Z', 'confirmed'],
        ['20260309T100000Z', 'confirmed'],
        ['20260316T100000Z', 'cancelled'],
        ['20260323T100000Z', 'cancelled'],
      ]);
    });

    it("reports a cancelled series by its own tombstone and only the coming week's instances", async () => {
      const series = weeklySync();
      h.sandbox.updateEvent(ADA, `${series.id}_20260309T100000Z`, { summary: 'Special sync' });
      const token = await syncToken();
      h.sandbox.cancelEvent(ADA, series.id);
      const { items } = await list({ singleEvents: true, syncToken: token });
      // Now is 2 March 09:00Z: of 2, 9, 16 and 23 March at 10:00Z only the first starts within 7 days.
      expect(items).toEqual([
        { kind: 'calendar#event', etag: expect.any(String), id: series.id, status: 'cancelled' },
        {
          kind: 'calendar#event',
          etag: expect.any(String),
          id: `${series.id}_20260302T100000Z`,
          status: 'cancelled',
          recurringEventId: series.id,
          originalStartTime: { dateTime: '2026-03-02T10:00:00Z', timeZone: 'Europe/London' },
        },
      ]);
      expect((await list({ singleEvents: true })).items).toEqual([]);
    });
  });

  it('refuses a timed recurring event without a time zone, as Google does', () => {
    expect(() =>
      h.sandbox.insertEvent(ADA, {
        summary: 'x',
        start: { dateTime: '2026-03-02T10:00:00Z' },
        end: { dateTime: '2026-03-02T11:00:00Z' },
        recurrence: ['RRULE:FREQ=DAILY'],
      }),
    ).toThrow(/time zone/);
  });
});
