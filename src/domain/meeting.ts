import type { AccountMatcher, AttendeeMatch, MatchedBy, MatchLookups } from './account-matcher';

/** A moment or a whole day, as calendar events give their start and end. */
export type EventTime =
  { kind: 'instant'; at: Date; timeZone: string | null } | { kind: 'day'; date: string };

export interface EventAttendee {
  email: string;
  displayName: string | null;
  /** `needsAction`, `accepted`, `tentative`, `declined`; a declined attendee is not in the meeting. */
  responseStatus: string | null;
  /** Rooms and equipment: never participants. */
  resource: boolean;
  /** This entry is the owner of the calendar the copy comes from. */
  self?: boolean;
}

/** One event of a member's calendar, as the calendar gateway reports it (already out of Google's types). */
export type CalendarEvent =
  | {
      status: 'cancelled';
      eventId: string;
    }
  | {
      status: 'confirmed' | 'tentative';
      eventId: string;
      /** Shared by every copy of the event in every calendar, and by every instance of a series. */
      iCalUID: string;
      /** The series an instance belongs to (Google's `recurringEventId`); null for single events. */
      seriesId: string | null;
      /** The instance's start before any move (recurring instances); null for single events. */
      originalStart: EventTime | null;
      /** Google's `eventType`: only `default` events are meetings. */
      eventType: string;
      /** `private` or `confidential` visibility: the title stays out of customer records. */
      private: boolean;
      title: string;
      start: EventTime;
      end: EventTime;
      attendees: EventAttendee[];
      /** This copy may not list every attendee (a guest's copy when guests cannot see each other). */
      attendeesOmitted: boolean;
      /** When this copy last changed; the newest copy of a meeting wins. */
      updated: Date;
    };

/** Identifies a meeting across calendars: copies of one event in several members' calendars are one meeting. */
export interface MeetingKey {
  iCalUID: string;
  /** '' for single events; the instance's original start for an occurrence of a series (stable when moved). */
  originalStart: string;
}

/** A timed meeting, ready to be matched. All-day events are no meetings. */
export interface MeetingSnapshot {
  key: MeetingKey;
  /** '' for a private meeting. */
  title: string;
  private: boolean;
  startTime: Date;
  durationMinutes: number;
  /** The start's local date (YYYY-MM-DD) in the event's time zone, else the calendar's. */
  date: string;
  attendees: EventAttendee[];
  /**
   * False for a copy that may omit attendees: it never shrinks a meeting's attendee list, which comes from the
   * most recently updated copy that lists them all (and from an omitting copy only while there is none).
   */
  attendeesComplete: boolean;
  sourceUpdated: Date;
}

const RESOURCE_SUFFIX = '@resource.calendar.google.com';

/**
 * The meeting an event describes, or null when it gives none: an all-day event, an event of another type than
 * `default` (out of office, focus time, working location, birthdays, events from Gmail), or a copy whose owner
 * declined (they are not in that meeting; another member's copy may still hold it).
 */
export function meetingFromEvent(
  event: Extract<CalendarEvent, { eventId: string; iCalUID: string }>,
  calendarTimeZone: string | null,
): MeetingSnapshot | null {
  if (event.start.kind !== 'instant' || event.end.kind !== 'instant') return null;
  if (event.eventType !== 'default') return null;
  if (event.attendees.some((attendee) => attendee.self === true && isDeclined(attendee))) return null;
  const timeZone = validTimeZone(event.start.timeZone) ?? validTimeZone(calendarTimeZone) ?? 'UTC';
  return {
    key: { iCalUID: event.iCalUID, originalStart: eventTimeKey(event.originalStart) },
    title: event.private ? '' : event.title,
    private: event.private,
    startTime: event.start.at,
    durationMinutes: Math.max(0, Math.round((event.end.at.getTime() - event.start.at.getTime()) / 60_000)),
    date: localDate(event.start.at, timeZone),
    // `self` says whose copy this is: not a fact about the meeting, which several copies describe.
    attendees: event.attendees
      .filter((attendee) => !isResource(attendee))
      .map(({ self: _self, ...attendee }) => attendee),
    attendeesComplete: !event.attendeesOmitted,
    sourceUpdated: event.updated,
  };
}

function isDeclined(attendee: Pick<EventAttendee, 'responseStatus'>): boolean {
  return attendee.responseStatus === 'declined';
}

/** CONTRACT.md: everyone is in the meeting for its whole duration, but who declined: 0 minutes. */
export function minutesInMeeting(
  participant: Pick<Participant, 'responseStatus'>,
  durationMinutes: number,
): number {
  return isDeclined(participant) ? 0 : durationMinutes;
}

export function eventTimeKey(time: EventTime | null): string {
  if (time === null) return '';
  return time.kind === 'instant' ? time.at.toISOString() : time.date;
}

function isResource(attendee: EventAttendee): boolean {
  return attendee.resource || attendee.email.trim().toLowerCase().endsWith(RESOURCE_SUFFIX);
}

/** YYYY-MM-DD of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = dateFormat(timeZone).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * One formatter per time zone: building one costs more than formatting with it, and a sync formats every event.
 * IANA has about 600 zones, so the cache stays small; an unknown zone throws and is not cached.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  return format;
}

function validTimeZone(timeZone: string | null): string | null {
  if (timeZone === null || timeZone === '') return null;
  try {
    dateFormat(timeZone);
    return timeZone;
  } catch {
    return null;
  }
}

export interface Participant {
  name: string | null;
  email: string;
  responseStatus: string | null;
  accountId: string | null;
  matchedBy: MatchedBy | null;
}

export interface MeetingInteraction {
  accountId: string;
  /** The strongest match among the account's participants. */
  matchedBy: MatchedBy;
}

export interface UnmatchedSummary {
  reason: 'no_match' | 'ambiguous_domain';
  candidateAccountIds: string[];
  /** The outside attendees who matched no account, distinct, in attendee order: what to fix. */
  emails: string[];
}

export interface MatchedMeeting {
  participants: Participant[];
  interactions: MeetingInteraction[];
  /** Set when an outside attendee (not internal, not a member) matched no account. */
  unmatched: UnmatchedSummary | null;
}

const OUTSIDE_UNMATCHED = new Set(['no_match', 'ambiguous_domain', 'free_mail']);

/**
 * Matches every attendee of a meeting and derives one interaction per distinct account. A declined attendee stays
 * a participant (with their response) but is not in the meeting: they match no account, and are no unmatched
 * outsider either.
 */
export function matchMeeting(
  attendees: readonly EventAttendee[],
  matcher: AccountMatcher,
  ownEmails: ReadonlySet<string>,
  lookups: MatchLookups,
): MatchedMeeting {
  const found: AttendeeMatch[] = attendees.map((attendee) =>
    matcher.match(attendee.email, ownEmails, lookups),
  );
  const matches = found.filter((_match, i) => !isDeclined(attendees[i]!));
  const participants = attendees.map((attendee, i): Participant => {
    const match = found[i]!;
    const present = !isDeclined(attendee);
    return {
      name: nonEmpty(attendee.displayName) ?? match.contactName,
      email: match.email,
      responseStatus: attendee.responseStatus,
      accountId: present ? match.accountId : null,
      matchedBy: present ? match.matchedBy : null,
    };
  });

  const strongest = new Map<string, MatchedBy>();
  for (const match of matches) {
    if (match.accountId === null || match.matchedBy === null) continue;
    if (strongest.get(match.accountId) !== 'contact') strongest.set(match.accountId, match.matchedBy);
  }

  const unmatchedOutside = matches.filter((match) => OUTSIDE_UNMATCHED.has(match.reason));
  const ambiguous = unmatchedOutside.filter((match) => match.reason === 'ambiguous_domain');
  const emails = [...new Set(unmatchedOutside.map((match) => match.email))];
  const unmatched: UnmatchedSummary | null =
    unmatchedOutside.length === 0
      ? null
      : ambiguous.length > 0
        ? {
            reason: 'ambiguous_domain',
            candidateAccountIds: [...new Set(ambiguous.flatMap((match) => match.candidateAccountIds))].sort(),
            emails,
          }
        : { reason: 'no_match', candidateAccountIds: [], emails };

  return {
    participants,
    interactions: [...strongest].map(([accountId, matchedBy]) => ({ accountId, matchedBy })),
    unmatched,
  };
}

function nonEmpty(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value.trim();
}
