import { PublicListsDomainKnowledge } from '../../../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import { AccountMatcher, type MatchLookups } from '../../../src/domain/account-matcher';
import {
  type CalendarEvent,
  type EventAttendee,
  localDate,
  matchMeeting,
  meetingFromEvent,
  minutesInMeeting,
} from '../../../src/domain/meeting';
import { domain } from '../../support/builders';

type LiveEvent = Extract<CalendarEvent, { iCalUID: string }>;

const event = (overrides: Partial<LiveEvent> = {}): LiveEvent => ({
  status: 'confirmed',
  eventId: 'evt1',
  iCalUID: 'evt1@google.com',
  seriesId: null,
  originalStart: null,
  eventType: 'default',
  private: false,
  title: 'QBR',
  start: { kind: 'instant', at: new Date('2026-11-20T15:00:00Z'), timeZone: null },
  end: { kind: 'instant', at: new Date('2026-11-20T15:30:00Z'), timeZone: null },
  attendees: [],
  attendeesOmitted: false,
  updated: new Date('2026-11-01T00:00:00Z'),
  ...overrides,
});

const attendee = (email: string, extra: Partial<EventAttendee> = {}): EventAttendee => ({
  email,
  displayName: null,
  responseStatus: 'accepted',
  resource: false,
  ...extra,
});

describe("meetingFromEvent: Google's own signals", () => {
  it.each(['outOfOffice', 'focusTime', 'workingLocation', 'birthday', 'fromGmail'])(
    'is no meeting for a %s event, whatever its attendees',
    (eventType) => {
      expect(
        meetingFromEvent(event({ eventType, attendees: [attendee('tess@logo.com')] }), 'UTC'),
      ).toBeNull();
    },
  );

  it("is no meeting in the copy of a member who declined; others' declines do not matter", () => {
    const me = attendee('me@ourco.com', { self: true, responseStatus: 'declined' });
    expect(meetingFromEvent(event({ attendees: [me, attendee('tess@logo.com')] }), 'UTC')).toBeNull();
    const declinedGuest = attendee('tess@logo.com', { responseStatus: 'declined' });
    const mine = { ...me, responseStatus: 'tentative' };
    const meeting = meetingFromEvent(event({ attendees: [mine, declinedGuest] }), 'UTC');
    expect(meeting?.attendees).toEqual([
      { email: 'me@ourco.com', displayName: null, responseStatus: 'tentative', resource: false },
      declinedGuest,
    ]);
  });

  it('keeps the title of a private meeting out, and says it is private', () => {
    expect(meetingFromEvent(event({ private: true }), 'UTC')).toMatchObject({ title: '', private: true });
    expect(meetingFromEvent(event(), 'UTC')).toMatchObject({ title: 'QBR', private: false });
  });

  it('says whether the copy lists every attendee', () => {
    expect(meetingFromEvent(event({ attendeesOmitted: true }), 'UTC')?.attendeesComplete).toBe(false);
    expect(meetingFromEvent(event(), 'UTC')?.attendeesComplete).toBe(true);
  });
});

describe('meetingFromEvent', () => {
  it('takes start, duration and title', () => {
    expect(meetingFromEvent(event(), 'UTC')).toMatchObject({
      title: 'QBR',
      startTime: new Date('2026-11-20T15:00:00Z'),
      durationMinutes: 30,
      date: '2026-11-20',
      key: { iCalUID: 'evt1@google.com', originalStart: '' },
    });
  });

  it("dates the meeting in the event's time zone, else the calendar's", () => {
    const late = { kind: 'instant' as const, at: new Date('2026-11-20T23:30:00Z') };
    const end = { kind: 'instant' as const, at: new Date('2026-11-21T00:30:00Z'), timeZone: null };
    expect(
      meetingFromEvent(event({ start: { ...late, timeZone: 'Europe/Paris' }, end }), 'America/New_York')
        ?.date,
    ).toBe('2026-11-21');
    expect(
      meetingFromEvent(event({ start: { ...late, timeZone: null }, end }), 'America/New_York')?.date,
    ).toBe('2026-11-20');
    expect(
      meetingFromEvent(event({ start: { ...late, timeZone: 'Not/AZone' }, end }), 'Asia/Tokyo')?.date,
    ).toBe('2026-11-21');
  });

  it('gives no meeting for an all-day event', () => {
    expect(
      meetingFromEvent(
        event({ start: { kind: 'day', date: '2026-11-20' }, end: { kind: 'day', date: '2026-11-21' } }),
        'UTC',
      ),
    ).toBeNull();
  });

  it('keys a recurring instance by its original start, so a moved instance stays the same meeting', () => {
    const originalStart = { kind: 'instant' as const, at: new Date('2026-11-20T15:00:00Z'), timeZone: null };
    const moved = meetingFromEvent(
      event({
        originalStart,
        start: { kind: 'instant', at: new Date('2026-11-20T17:00:00Z'), timeZone: null },
        end: { kind: 'instant', at: new Date('2026-11-20T17:45:00Z'), timeZone: null },
      }),
      'UTC',
    );
    expect(moved?.key).toEqual({ iCalUID: 'evt1@google.com', originalStart: '2026-11-20T15:00:00.000Z' });
    expect(moved?.durationMinutes).toBe(45);
  });

  it('leaves resource calendars out of the attendees', () => {
    const meeting = meetingFromEvent(
      event({
        attendees: [
          attendee('tess@logo.com'),
          attendee('room@ourco.com', { resource: true }),
          attendee('c_123@resource.calendar.google.com'),
        ],
      }),
      'UTC',
    );
    expect(meeting?.attendees.map((a) => a.email)).toEqual(['tess@logo.com']);
  });
});

describe('localDate', () => {
  it.each([
    ['2026-11-20T23:30:00Z', 'UTC', '2026-11-20'],
    ['2026-11-20T23:30:00Z', 'Europe/Berlin', '2026-11-21'],
    ['2026-11-21T03:00:00Z', 'America/Los_Angeles', '2026-11-20'],
  ])('%s in %s is %s', (at, zone, expected) => {
    expect(localDate(new Date(at), zone)).toBe(expected);
  });
});

describe('matchMeeting', () => {
  const matcher = new AccountMatcher(new PublicListsDomainKnowledge(), [domain('ourco.com')]);
  const lookups: MatchLookups = {
    contactsByEmail: new Map([['tess@logo.com', { accountId: 'logo', name: 'Tess Ter' }]]),
    accountIdsByDomain: new Map<string, readonly string[]>([
      ['logo.com', ['logo']],
      ['acme.io', ['acme']],
      ['shared.com', ['a', 'b']],
    ]),
  };
  const own = new Set(['me@ourco.com']);

  it('gives one interaction per distinct account, with the strongest match', () => {
    const result = matchMeeting(
      [
        attendee('tess@logo.com'),
        attendee('other@logo.com'),
        attendee('wile@acme.io'),
        attendee('me@ourco.com'),
      ],
      matcher,
      own,
      lookups,
    );
    expect(result.interactions).toEqual([
      { accountId: 'logo', matchedBy: 'contact' },
      { accountId: 'acme', matchedBy: 'domain' },
    ]);
    expect(result.unmatched).toBeNull();
  });

  it('names participants by display name, else contact name, else null; declined ones stay, matching nothing', () => {
    const result = matchMeeting(
      [
        attendee('tess@logo.com', { responseStatus: 'declined' }),
        attendee('other@logo.com', { displayName: ' Olga ' }),
        attendee('cara@ourco.com'),
      ],
      matcher,
      own,
      lookups,
    );
    expect(result.participants).toEqual([
      {
        name: 'Tess Ter',
        email: 'tess@logo.com',
        responseStatus: 'declined',
        accountId: null,
        matchedBy: null,
      },
      {
        name: 'Olga',
        email: 'other@logo.com',
        responseStatus: 'accepted',
        accountId: 'logo',
        matchedBy: 'domain',
      },
      { name: null, email: 'cara@ourco.com', responseStatus: 'accepted', accountId: null, matchedBy: null },
    ]);
  });

  it('gives an account whose matched attendees all declined no interaction, and no unmatched outsider', () => {
    const result = matchMeeting(
      [
        attendee('tess@logo.com', { responseStatus: 'declined' }),
        attendee('wile@acme.io', { responseStatus: 'tentative' }),
        attendee('x@unknown.org', { responseStatus: 'declined' }),
      ],
      matcher,
      own,
      lookups,
    );
    expect(result.interactions).toEqual([{ accountId: 'acme', matchedBy: 'domain' }]);
    expect(result.unmatched).toBeNull();
    expect(minutesInMeeting({ responseStatus: 'declined' }, 45)).toBe(0);
    expect(minutesInMeeting({ responseStatus: 'needsAction' }, 45)).toBe(45);
    expect(minutesInMeeting({ responseStatus: null }, 45)).toBe(45);
  });

  it('reports an ambiguous domain with every candidate account', () => {
    const result = matchMeeting([attendee('x@shared.com'), attendee('tess@logo.com')], matcher, own, lookups);
    expect(result.unmatched).toEqual({
      reason: 'ambiguous_domain',
      candidateAccountIds: ['a', 'b'],
      emails: ['x@shared.com'],
    });
    expect(result.interactions).toEqual([{ accountId: 'logo', matchedBy: 'contact' }]);
  });

  it('reports an outside attendee nobody matched, but not internal people or the member', () => {
    expect(matchMeeting([attendee('x@unknown.org')], matcher, own, lookups).unmatched).toEqual({
      reason: 'no_match',
      candidateAccountIds: [],
      emails: ['x@unknown.org'],
    });
    expect(
      matchMeeting([attendee('cara@ourco.com'), attendee('me@ourco.com')], matcher, own, lookups).unmatched,
    ).toBeNull();
  });

  it('names only the outside attendees nobody matched: never a member, wherever their address, nor a room', () => {
    const team = new Set(['me@ourco.com', 'kim@contractor.example']);
    const result = matchMeeting(
      [
        attendee('me@ourco.com'),
        attendee('Kim@Contractor.example'),
        attendee('dev@eng.ourco.com'),
        attendee('room-1@resource.calendar.google.com'),
        attendee('tess@logo.com'),
        attendee('x@unknown.org'),
        attendee('someone@gmail.com'),
        attendee('X@unknown.org'),
      ],
      matcher,
      team,
      lookups,
    );
    expect(result.unmatched).toEqual({
      reason: 'no_match',
      candidateAccountIds: [],
      emails: ['x@unknown.org', 'someone@gmail.com'],
    });
    expect(result.interactions).toEqual([{ accountId: 'logo', matchedBy: 'contact' }]);
  });
});
