import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import {
  expandRecurrence,
  instanceSuffix,
  type OccurrenceStart,
  parseInstanceId,
  parseRecurrence,
} from './recurrence';
import { addDays, formatDateTime, isTimeZone, parseDateTime } from './time-zones';
import type {
  EventAttendee,
  EventDateTime,
  GoogleEvent,
  ResponseStatus,
  SandboxEventInput,
  SandboxUser,
} from './types';

/** One version of an event; `seq` orders every write of the sandbox, which is what sync tokens point at. */
export interface Revision {
  seq: number;
  event: GoogleEvent;
}

export interface EventRecord {
  revisions: Revision[];
}

export interface CalendarState {
  email: string;
  timeZone: string;
  /** Stable per calendar, like Google's X-Goog-Resource-ID for a calendar's events. */
  resourceId: string;
  /** Bumped to make every sync token issued so far answer 410. */
  syncGeneration: number;
  updated: string;
  events: Map<string, EventRecord>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Google's rule for client-chosen ids: base32hex characters, 5 to 1024 of them.
const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

const eventDateTimeSchema = z.strictObject({
  dateTime: z.string().optional(),
  date: z.string().regex(DATE, 'must be yyyy-mm-dd').optional(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone').optional(),
});

const attendeeSchema = z.strictObject({
  email: z.email(),
  displayName: z.string().optional(),
  responseStatus: z.enum(['needsAction', 'declined', 'tentative', 'accepted']).optional(),
  resource: z.boolean().optional(),
  organizer: z.boolean().optional(),
  self: z.boolean().optional(),
  optional: z.boolean().optional(),
});

const eventInputSchema = z.strictObject({
  summary: z.string(),
  description: z.string().optional(),
  location: z.string().optional(),
  start: eventDateTimeSchema,
  end: eventDateTimeSchema,
  attendees: z.array(attendeeSchema).optional(),
  recurrence: z.array(z.string()).optional(),
  id: z.string().regex(EVENT_ID, 'must be 5-1024 characters of a-v and 0-9 (base32hex)').optional(),
  iCalUID: z.string().min(1).optional(),
  organizer: z.strictObject({ email: z.email(), displayName: z.string().optional() }).optional(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']).optional(),
  eventType: z
    .enum(['default', 'outOfOffice', 'focusTime', 'workingLocation', 'birthday', 'fromGmail'])
    .optional(),
  visibility: z.enum(['default', 'public', 'private', 'confidential']).optional(),
  guestsCanSeeOtherGuests: z.boolean().optional(),
});

const eventPatchSchema = eventInputSchema.omit({ id: true, iCalUID: true }).partial();

type EventPatch = z.infer<typeof eventPatchSchema>;

export const latest = (record: EventRecord): Revision => record.revisions.at(-1)!;

export function revisionAt(record: EventRecord, seq: number): Revision | undefined {
  return record.revisions.findLast((revision) => revision.seq <= seq);
}

const lower = (email: string): string => email.trim().toLowerCase();

function randomId(length: number): string {
  return Array.from(randomBytes(length), (byte) => BASE32HEX[byte % 32]).join('');
}

function htmlLink(id: string, calendarEmail: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendarEmail}`).toString('base64url')}`;
}

const DAY_MS = 86_400_000;

/** Where an occurrence starts by Google's instance id, so a lookup expands the series no further than that. */
function instanceStartMs(instanceId: string): number | null {
  const suffix = /_(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(instanceId);
  if (suffix === null) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = suffix;
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

/** The options Google leaves out of the resource when they were not set. */
function sharedOptions(input: EventPatch): Partial<GoogleEvent> {
  return {
    ...(input.visibility === undefined ? {} : { visibility: input.visibility }),
    ...(input.guestsCanSeeOtherGuests === undefined
      ? {}
      : { guestsCanSeeOtherGuests: input.guestsCanSeeOtherGuests }),
  };
}

/**
 * What a calendar's copy shows: when the organizer hides the guest list, a guest's copy keeps only the guest's
 * own entry and says attendees were omitted. Revisions keep the whole list so the organizer can show it again.
 */
export function guestView(event: GoogleEvent): GoogleEvent {
  if (event.guestsCanSeeOtherGuests !== false || event.organizer?.self === true) return event;
  if (event.attendees === undefined) return event;
  const { attendees, ...rest } = event;
  const own = attendees.filter((attendee) => attendee.self === true);
  return { ...rest, ...(own.length === 0 ? {} : { attendees: own }), attendeesOmitted: true };
}

function normalizeDateTime(
  point: EventDateTime,
  calendarTimeZone: string,
): { ms: number; value: EventDateTime } {
  const zone = point.timeZone ?? calendarTimeZone;
  const ms = parseDateTime(point.dateTime ?? '', zone);
  if (ms === null) throw new Error(`"${point.dateTime}" is not an RFC 3339 date-time`);
  return { ms, value: { dateTime: formatDateTime(ms, zone), ...(point.timeZone ? { timeZone: zone } : {}) } };
}

/** Google's time rules: both ends dated or both timed, end after start, a zone for timed recurring events. */
function normalizeTimes(
  start: EventDateTime,
  end: EventDateTime,
  calendarTimeZone: string,
  recurrence: string[] | undefined,
): { start: EventDateTime; end: EventDateTime } {
  const dated = [start, end].filter((point) => point.date !== undefined && point.dateTime === undefined);
  const timed = [start, end].filter((point) => point.dateTime !== undefined && point.date === undefined);
  if (dated.length === 2) {
    if (end.date! <= start.date!) throw new Error('an all-day event must end after the day it starts');
    if (recurrence !== undefined) parseRecurrence(recurrence, calendarTimeZone, false);
    return { start: { date: start.date! }, end: { date: end.date! } };
  }
  if (timed.length !== 2) throw new Error('start and end need both a dateTime or both a date');
  if (recurrence !== undefined && start.timeZone === undefined) {
    throw new Error('Missing time zone definition for start time (Google requires it for recurring events).');
  }
  const from = normalizeDateTime(start, calendarTimeZone);
  const to = normalizeDateTime(end, calendarTimeZone);
  if (to.ms <= from.ms) throw new Error('an event must end after it starts');
  if (recurrence !== undefined) parseRecurrence(recurrence, start.timeZone!, true);
  return { start: from.value, end: to.value };
}

const lowerEmails = (attendees: EventAttendee[]): EventAttendee[] =>
  attendees.map((attendee) => ({ ...attendee, email: lower(attendee.email) }));

/**
 * Google marks, in each calendar's copy, the organizer among the attendees and the calendar's owner as `self`,
 * and always states a response.
 */
function personalize(event: GoogleEvent, calendarEmail: string): GoogleEvent {
  const organizerEmail = event.organizer?.email;
  const self = (email: string) => (email === calendarEmail ? { self: true as const } : {});
  const person = (who: { email: string; displayName?: string }) => ({
    email: who.email,
    ...(who.displayName === undefined ? {} : { displayName: who.displayName }),
    ...self(who.email),
  });
  const attendee = (who: EventAttendee): EventAttendee => ({
    email: who.email,
    ...(who.displayName === undefined ? {} : { displayName: who.displayName }),
    ...(who.email === organizerEmail ? { organizer: true } : {}),
    ...self(who.email),
    ...(who.resource ? { resource: true } : {}),
    ...(who.optional ? { optional: true } : {}),
    responseStatus: who.responseStatus ?? 'needsAction',
  });
  return {
    ...event,
    ...(event.creator ? { creator: person(event.creator) } : {}),
    ...(event.organizer ? { organizer: person(event.organizer) } : {}),
    ...(event.attendees ? { attendees: event.attendees.map(attendee) } : {}),
  };
}

/** The in-memory calendars: every write is a new revision numbered by one sandbox-wide sequence. */
export class EventStore {
  private readonly calendars = new Map<string, CalendarState>();
  private lastSeq = 0;

  constructor(
    readonly now: () => Date,
    private readonly horizonDays: number,
  ) {}

  get seq(): number {
    return this.lastSeq;
  }

  addCalendar(user: SandboxUser): void {
    const email = lower(user.email);
    if (this.calendars.has(email)) throw new Error(`user ${email} was already added`);
    const timeZone = user.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) throw new Error(`"${timeZone}" is not an IANA time zone`);
    this.calendars.set(email, {
      email,
      timeZone,
      resourceId: randomId(27),
      syncGeneration: 0,
      updated: this.now().toISOString(),
      events: new Map(),
    });
  }

  calendar(email: string): CalendarState {
    const calendar = this.calendars.get(lower(email));
    if (calendar === undefined) throw new Error(`unknown sandbox user ${email}; call addUser first`);
    return calendar;
  }

  /** One meeting in several calendars: the same id and iCalUID in each copy. */
  insert(calendarEmails: string[], raw: SandboxEventInput): GoogleEvent {
    const input = eventInputSchema.parse(raw);
    const calendars = calendarEmails.map((email) => this.calendar(email));
    const home = calendars[0];
    if (home === undefined) throw new Error('an event needs at least one calendar');
    const id = input.id ?? randomId(26);
    const eventType = input.eventType ?? 'default';
    // Google's birthday events are all-day by definition.
    if (eventType === 'birthday' && (input.start.date === undefined || input.end.date === undefined)) {
      throw new Error('a birthday event must be an all-day event');
    }
    for (const calendar of calendars) {
      if (calendar.events.has(id)) throw new Error(`event ${id} already exists in ${calendar.email}`);
    }
    const organizer = input.organizer
      ? { email: lower(input.organizer.email), displayName: input.organizer.displayName }
      : { email: home.email };
    const created = this.now().toISOString();
    for (const calendar of calendars) {
      this.write(calendar, id, {
        kind: 'calendar#event',
        etag: '',
        id,
        status: input.status ?? 'confirmed',
        htmlLink: htmlLink(id, calendar.email),
        created,
        updated: created,
        summary: input.summary,
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.location === undefined ? {} : { location: input.location }),
        creator: { email: organizer.email },
        organizer,
        ...normalizeTimes(input.start, input.end, calendar.timeZone, input.recurrence),
        ...(input.recurrence === undefined ? {} : { recurrence: input.recurrence }),
        ...(input.visibility === undefined ? {} : { visibility: input.visibility }),
        iCalUID: input.iCalUID ?? `${id}@google.com`,
        sequence: 0,
        ...(input.attendees === undefined ? {} : { attendees: lowerEmails(input.attendees) }),
        ...(input.guestsCanSeeOtherGuests === undefined
          ? {}
          : { guestsCanSeeOtherGuests: input.guestsCanSeeOtherGuests }),
        reminders: { useDefault: true },
        eventType,
      });
    }
    return this.event(home.email, id);
  }

  /** A copy of the event as its calendar shows it, cancelled ones in full. */
  event(calendarEmail: string, id: string): GoogleEvent {
    const record = this.calendar(calendarEmail).events.get(id);
    if (record === undefined) throw new Error(`no event ${id} in ${calendarEmail}`);
    return structuredClone(guestView(latest(record).event));
  }

  /** Patches an event, a series, or one instance of a series (which then becomes an exception). */
  update(calendarEmail: string, id: string, raw: Partial<SandboxEventInput>): string[] {
    const patch = eventPatchSchema.parse(raw);
    const changed = this.copiesToChange(calendarEmail, id);
    for (const calendar of changed) {
      const current = this.currentOrInstance(calendar, id);
      if (patch.eventType !== undefined && patch.eventType !== current.eventType) {
        throw new Error('eventType cannot be modified after the event is created');
      }
      const recurrence = patch.recurrence ?? current.recurrence;
      const times = normalizeTimes(
        patch.start ?? current.start!,
        patch.end ?? current.end!,
        calendar.timeZone,
        recurrence,
      );
      this.write(calendar, id, {
        ...current,
        ...(patch.summary === undefined ? {} : { summary: patch.summary }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.location === undefined ? {} : { location: patch.location }),
        ...(patch.status === undefined ? {} : { status: patch.status }),
        ...(patch.organizer === undefined ? {} : { organizer: { ...patch.organizer } }),
        ...(patch.attendees === undefined ? {} : { attendees: lowerEmails(patch.attendees) }),
        ...(patch.recurrence === undefined ? {} : { recurrence: patch.recurrence }),
        ...sharedOptions(patch),
        ...times,
        updated: this.now().toISOString(),
        sequence: (current.sequence ?? 0) + 1,
      });
    }
    return changed.map((calendar) => calendar.email);
  }

  /** Keeps a cancelled tombstone; cancelling a series cancels its exceptions too. */
  cancel(calendarEmail: string, id: string): string[] {
    const changed = this.copiesToChange(calendarEmail, id);
    for (const calendar of changed) {
      const current = this.currentOrInstance(calendar, id);
      if (current.status === 'cancelled') throw new Error(`event ${id} is already cancelled`);
      const updated = this.now().toISOString();
      this.write(calendar, id, { ...current, status: 'cancelled', updated });
      if (current.recurrence === undefined) continue;
      for (const [exceptionId, record] of calendar.events) {
        const exception = latest(record).event;
        if (exception.recurringEventId === id && exception.status !== 'cancelled') {
          this.write(calendar, exceptionId, { ...exception, status: 'cancelled', updated });
        }
      }
    }
    return changed.map((calendar) => calendar.email);
  }

  /**
   * The calendar's owner answers an invitation (one event, one instance, or a whole series with its exceptions).
   * Like an organizer's change it reaches every copy, with a new `updated` but the same `sequence`: Google bumps
   * the sequence only for significant changes.
   */
  respond(calendarEmail: string, id: string, responseStatus: ResponseStatus): string[] {
    const own = this.calendar(calendarEmail);
    const guest = own.email;
    const updated = this.now().toISOString();
    const answer = (event: GoogleEvent): GoogleEvent | null =>
      event.status === 'cancelled' || !event.attendees?.some((attendee) => attendee.email === guest)
        ? null
        : {
            ...event,
            attendees: event.attendees.map((attendee) =>
              attendee.email === guest ? { ...attendee, responseStatus } : attendee,
            ),
            updated,
          };
    if (answer(this.currentOrInstance(own, id)) === null) {
      throw new Error(`${guest} is not invited to a live event ${id}`);
    }
    const changed: string[] = [];
    for (const calendar of this.sharedCopies(own, id)) {
      const current = this.currentOrInstance(calendar, id);
      // A copy its owner deleted keeps its tombstone.
      const answered = answer(current);
      if (answered === null) continue;
      this.write(calendar, id, answered);
      changed.push(calendar.email);
      if (current.recurrence === undefined) continue;
      for (const [exceptionId, record] of calendar.events) {
        const exception = latest(record).event;
        const answeredException = exception.recurringEventId === id ? answer(exception) : null;
        if (answeredException !== null) this.write(calendar, exceptionId, answeredException);
      }
    }
    return changed;
  }

  invalidateSyncTokens(calendarEmail: string): void {
    this.calendar(calendarEmail).syncGeneration += 1;
  }

  /**
   * The occurrences of a series as `singleEvents=true` lists them: an exception replaces its instance, and the
   * instances of a cancelled series are cancelled. With `stopBeforeMs` (a listing's timeMax) the rule is expanded
   * only that far, plus the exceptions moved there from later occurrences.
   */
  instancesOf(calendar: CalendarState, series: GoogleEvent, stopBeforeMs = Infinity): GoogleEvent[] {
    const { start } = series as Required<Pick<GoogleEvent, 'start'>>;
    const timing =
      start.date !== undefined
        ? { date: start.date }
        : { utcMs: Date.parse(start.dateTime!), timeZone: start.timeZone ?? calendar.timeZone };
    const horizonMs = this.now().getTime() + this.horizonDays * DAY_MS;
    const expand = (stopMs: number) =>
      expandRecurrence({ start: timing, recurrence: series.recurrence ?? [] }, horizonMs, stopMs);
    const instances = expand(stopBeforeMs).map((occurrence) => {
      const id = `${series.id}_${instanceSuffix(occurrence)}`;
      const exception = calendar.events.get(id);
      return exception ? latest(exception).event : this.instance(calendar, series, id, occurrence);
    });
    if (stopBeforeMs === Infinity) return instances;
    const listed = new Set(instances.map((instance) => instance.id));
    for (const [id, record] of calendar.events) {
      const originalMs = instanceStartMs(id);
      if (listed.has(id) || originalMs === null || originalMs < stopBeforeMs) continue;
      const exception = latest(record).event;
      if (exception.recurringEventId !== series.id) continue;
      // Only an exception of an occurrence the rule still has, as in a full expansion.
      if (expand(originalMs + 1).some((occurrence) => `${series.id}_${instanceSuffix(occurrence)}` === id)) {
        instances.push(exception);
      }
    }
    return instances;
  }

  private instance(
    calendar: CalendarState,
    series: GoogleEvent,
    id: string,
    occurrence: OccurrenceStart,
  ): GoogleEvent {
    const { recurrence: _recurrence, ...fields } = series;
    const { start, end } = series as Required<Pick<GoogleEvent, 'start' | 'end'>>;
    let times: Pick<GoogleEvent, 'start' | 'end' | 'originalStartTime'>;
    if ('date' in occurrence) {
      const days = (Date.parse(end.date!) - Date.parse(start.date!)) / DAY_MS;
      times = {
        start: { date: occurrence.date },
        end: { date: addDays(occurrence.date, days) },
        originalStartTime: { date: occurrence.date },
      };
    } else {
      const zone = start.timeZone ?? calendar.timeZone;
      const endZone = end.timeZone ?? zone;
      const endMs = occurrence.utcMs + Date.parse(end.dateTime!) - Date.parse(start.dateTime!);
      const instanceStart = { dateTime: formatDateTime(occurrence.utcMs, zone), timeZone: zone };
      times = {
        start: instanceStart,
        end: { dateTime: formatDateTime(endMs, endZone), timeZone: endZone },
        originalStartTime: instanceStart,
      };
    }
    return { ...fields, id, htmlLink: htmlLink(id, calendar.email), ...times, recurringEventId: series.id };
  }

  /** The event, or for an instance id of a series the generated instance an exception will start from. */
  private currentOrInstance(calendar: CalendarState, id: string): GoogleEvent {
    const record = calendar.events.get(id);
    if (record) return latest(record).event;
    const seriesRecord = this.seriesOf(calendar, id);
    const stopMs = (instanceStartMs(id) ?? Infinity) + 1;
    const instance =
      seriesRecord && this.instancesOf(calendar, latest(seriesRecord).event, stopMs).find((i) => i.id === id);
    if (instance === undefined) throw new Error(`no event ${id} in ${calendar.email}`);
    return instance;
  }

  private seriesOf(calendar: CalendarState, instanceId: string): EventRecord | undefined {
    const parsed = parseInstanceId(instanceId);
    return parsed ? calendar.events.get(parsed.seriesId) : undefined;
  }

  /** As in Google, what the organizer changes reaches every copy; what an attendee changes stays in theirs. */
  private copiesToChange(calendarEmail: string, id: string): CalendarState[] {
    const calendar = this.calendar(calendarEmail);
    const copies = this.sharedCopies(calendar, id);
    const own = calendar.events.get(id) ?? this.seriesOf(calendar, id);
    return latest(own!).event.organizer?.email === calendar.email ? copies : [calendar];
  }

  /** Every calendar's copy of the event (or of the series an instance id belongs to): same id and iCalUID. */
  private sharedCopies(calendar: CalendarState, id: string): CalendarState[] {
    const own = calendar.events.get(id) ?? this.seriesOf(calendar, id);
    if (own === undefined) throw new Error(`no event ${id} in ${calendar.email}`);
    const { iCalUID, id: ownId } = latest(own).event;
    return [...this.calendars.values()].filter((other) => {
      const copy = other.events.get(ownId);
      return copy !== undefined && latest(copy).event.iCalUID === iCalUID;
    });
  }

  private write(calendar: CalendarState, id: string, event: GoogleEvent): void {
    this.lastSeq += 1;
    const seq = this.lastSeq;
    const revision = {
      seq,
      event: personalize({ ...event, etag: `"3${String(seq).padStart(15, '0')}"` }, calendar.email),
    };
    const record = calendar.events.get(id);
    if (record) record.revisions.push(revision);
    else calendar.events.set(id, { revisions: [revision] });
    calendar.updated = event.updated ?? calendar.updated;
  }
}
