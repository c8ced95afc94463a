import type { AccountMatcher, AttendeeMatch, MatchedBy, MatchLookups } from './account-matcher';

/** A moment or a whole day, as calendar events give their start and end. */
export type EventTime =
  { kind: 'instant'; at: Date; timeZone: string | null } | { kind: 'day'; date: string };

export interface EventAttendee {
  email: string;
  displayName: string | null;
  responseStatus: string | null;
  /** Rooms and equipment: never participants. */
  resource: boolean;
}

/** One event of a member's calendar, as the calendar gateway reports it (already out of Google's types). */
export type CalendarEvent =
  | { status: 'cancelled'; eventId: string }
  | {
      status: 'confirmed' | 'tentative';
      eventId: string;
      /** Shared by every copy of the event in every calendar, and by every instance of a series. */
      iCalUID: string;
      /** The instance's start before any move (recurring instances); null for single events. */
      originalStart: EventTime | null;
      title: string;
      start: EventTime;
      end: EventTime;
      attendees: EventAttendee[];
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
  title: string;
  startTime: Date;
  durationMinutes: number;
  /** The start's local date (YYYY-MM-DD) in the event's time zone, else the calendar's. */
  date: string;
  attendees: EventAttendee[];
  sourceUpdated: Date;
}

const RESOURCE_SUFFIX = '@resource.calendar.google.com';

/** The meeting an event describes, or null when it gives none (an all-day event). */
export function meetingFromEvent(
  event: Extract<CalendarEvent, { eventId: string; iCalUID: string }>,
  calendarTimeZone: string | null,
): MeetingSnapshot | null {
  if (event.start.kind !== 'instant' || event.end.kind !== 'instant') return null;
  const timeZone = validTimeZone(event.start.timeZone) ?? validTimeZone(calendarTimeZone) ?? 'UTC';
  return {
    key: { iCalUID: event.iCalUID, originalStart: eventTimeKey(event.originalStart) },
    title: event.title,
    startTime: event.start.at,
    durationMinutes: Math.max(0, Math.round((event.end.at.getTime() - event.start.at.getTime()) / 60_000)),
    date: localDate(event.start.at, timeZone),
    attendees: event.attendees.filter((attendee) => !isResource(attendee)),
    sourceUpdated: event.updated,
  };
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
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function validTimeZone(timeZone: string | null): string | null {
  if (timeZone === null || timeZone === '') return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
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
}

export interface MatchedMeeting {
  participants: Participant[];
  interactions: MeetingInteraction[];
  /** Set when an outside attendee (not internal, not a member) matched no account. */
  unmatched: UnmatchedSummary | null;
}

const OUTSIDE_UNMATCHED = new Set(['no_match', 'ambiguous_domain', 'free_mail']);

/** Matches every attendee of a meeting and derives one interaction per distinct account. */
export function matchMeeting(
  attendees: readonly EventAttendee[],
  matcher: AccountMatcher,
  ownEmails: ReadonlySet<string>,
  lookups: MatchLookups,
): MatchedMeeting {
  const matches: AttendeeMatch[] = attendees.map((attendee) =>
    matcher.match(attendee.email, ownEmails, lookups),
  );
  const participants = attendees.map((attendee, i): Participant => {
    const match = matches[i]!;
    return {
      name: nonEmpty(attendee.displayName) ?? match.contactName,
      email: match.email,
      responseStatus: attendee.responseStatus,
      accountId: match.accountId,
      matchedBy: match.matchedBy,
    };
  });

  const strongest = new Map<string, MatchedBy>();
  for (const match of matches) {
    if (match.accountId === null || match.matchedBy === null) continue;
    if (strongest.get(match.accountId) !== 'contact') strongest.set(match.accountId, match.matchedBy);
  }

  const unmatchedOutside = matches.filter((match) => OUTSIDE_UNMATCHED.has(match.reason));
  const ambiguous = unmatchedOutside.filter((match) => match.reason === 'ambiguous_domain');
  const unmatched: UnmatchedSummary | null =
    unmatchedOutside.length === 0
      ? null
      : ambiguous.length > 0
        ? {
            reason: 'ambiguous_domain',
            candidateAccountIds: [...new Set(ambiguous.flatMap((match) => match.candidateAccountIds))].sort(),
          }
        : { reason: 'no_match', candidateAccountIds: [] };

  return {
    participants,
    interactions: [...strongest].map(([accountId, matchedBy]) => ({ accountId, matchedBy })),
    unmatched,
  };
}

function nonEmpty(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value.trim();
}
