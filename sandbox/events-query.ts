import { type CalendarState, type EventStore, guestView, latest, revisionAt } from './event-store';
import { startOfDate } from './time-zones';
import type { EventDateTime, GoogleEvent } from './types';

/** Position of an item in a listing; pages continue after the last key they handed out. */
export type SortKey = [number, string];

export interface ListedEvent {
  event: GoogleEvent;
  key: SortKey;
}

export interface FullListCriteria {
  singleEvents: boolean;
  showDeleted: boolean;
  orderBy?: 'startTime' | 'updated';
  timeMin?: number;
  timeMax?: number;
  updatedMin?: number;
  q?: string;
  iCalUID?: string;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] === b[1]) return 0;
  return a[1] < b[1] ? -1 : 1;
}

const byKey = (a: ListedEvent, b: ListedEvent): number => compareKeys(a.key, b.key);

const DAY_MS = 86_400_000;

/**
 * How far a listing bounded by timeMax needs a series expanded: a day past it, as all-day occurrences are expanded
 * by UTC midnights but compared by the calendar's.
 */
const expansionStop = (timeMax: number | undefined): number =>
  timeMax === undefined ? Infinity : timeMax + DAY_MS;

/** The sandbox's reading of "Google may list only some cancelled occurrences": those of the coming week. */
const CANCELLED_SERIES_WINDOW_MS = 7 * DAY_MS;

/** All-day dates are midnights of the calendar's own zone, as Google compares them with timeMin/timeMax. */
function pointMs(point: EventDateTime | undefined, timeZone: string): number {
  if (point?.date !== undefined) return startOfDate(point.date, timeZone);
  return Date.parse(point?.dateTime ?? '');
}

/** A full listing (no sync token), ordered by start (or last update) then id. */
export function fullListing(
  store: EventStore,
  calendar: CalendarState,
  criteria: FullListCriteria,
): ListedEvent[] {
  const candidates: GoogleEvent[] = [];
  for (const record of calendar.events.values()) {
    const event = latest(record).event;
    if (!criteria.singleEvents) candidates.push(event);
    // Exceptions are listed in their series' place.
    else if (event.recurrence !== undefined) {
      candidates.push(...store.instancesOf(calendar, event, expansionStop(criteria.timeMax)));
    } else if (event.recurringEventId === undefined) candidates.push(event);
  }
  return candidates
    .filter(
      (event) =>
        isVisible(event, criteria) &&
        overlapsWindow(store, calendar, event, criteria) &&
        (criteria.updatedMin === undefined || Date.parse(event.updated ?? '') >= criteria.updatedMin) &&
        (criteria.iCalUID === undefined || event.iCalUID === criteria.iCalUID) &&
        (criteria.q === undefined || matchesText(event, criteria.q)),
    )
    .map((event): ListedEvent => {
      const position =
        criteria.orderBy === 'updated'
          ? Date.parse(event.updated ?? '')
          : pointMs(event.start, calendar.timeZone);
      return { event, key: [position, event.id] };
    })
    .sort(byKey);
}

function isVisible(event: GoogleEvent, criteria: FullListCriteria): boolean {
  if (event.status !== 'cancelled' || criteria.showDeleted) return true;
  if (criteria.updatedMin !== undefined && Date.parse(event.updated ?? '') >= criteria.updatedMin)
    return true;
  // Documented: cancelled instances of recurring events still show when showDeleted and singleEvents are both off.
  return !criteria.singleEvents && event.recurringEventId !== undefined;
}

/** timeMin bounds the end and timeMax the start; a series (singleEvents off) counts when any occurrence does. */
function overlapsWindow(
  store: EventStore,
  calendar: CalendarState,
  event: GoogleEvent,
  { timeMin, timeMax, singleEvents }: FullListCriteria,
): boolean {
  if (timeMin === undefined && timeMax === undefined) return true;
  const spans =
    event.recurrence !== undefined && !singleEvents
      ? store.instancesOf(calendar, event, expansionStop(timeMax))
      : [event];
  return spans.some(
    (span) =>
      (timeMin === undefined || pointMs(span.end, calendar.timeZone) > timeMin) &&
      (timeMax === undefined || pointMs(span.start, calendar.timeZone) < timeMax),
  );
}

function matchesText(shown: GoogleEvent, q: string): boolean {
  const event = guestView(shown);
  const people = [event.organizer, ...(event.attendees ?? [])].flatMap((person) =>
    person ? [person.email, person.displayName ?? ''] : [],
  );
  const text = [event.summary, event.description, event.location, ...people].join('\n').toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => text.includes(term));
}

/**
 * Everything written after `sinceSeq`, cancelled events included, ordered by write then id. With singleEvents a
 * changed series yields all its current instances, plus a cancelled one for each instance it no longer has; a
 * cancelled series yields its own tombstone and those of its instances in the coming week only.
 */
export function changesSince(
  store: EventStore,
  calendar: CalendarState,
  sinceSeq: number,
  singleEvents: boolean,
): ListedEvent[] {
  const changes = new Map<string, ListedEvent>();
  const add = (event: GoogleEvent, seq: number): void => {
    const known = changes.get(event.id);
    if (known === undefined || known.key[0] < seq) changes.set(event.id, { event, key: [seq, event.id] });
  };
  const seriesCancelled = (id: string | undefined): boolean => {
    const series = id === undefined ? undefined : calendar.events.get(id);
    return series !== undefined && latest(series).event.status === 'cancelled';
  };
  const nowMs = store.now().getTime();
  const inComingWeek = (event: GoogleEvent): boolean => {
    const startMs = pointMs(event.start, calendar.timeZone);
    return startMs >= nowMs && startMs <= nowMs + CANCELLED_SERIES_WINDOW_MS;
  };
  for (const record of calendar.events.values()) {
    const { seq, event } = latest(record);
    if (seq <= sinceSeq) continue;
    if (!singleEvents || (event.recurrence === undefined && event.recurringEventId === undefined)) {
      add(event, seq);
      continue;
    }
    if (event.recurrence === undefined) {
      // The exceptions of a cancelled series are reported with it, the coming week only.
      if (!seriesCancelled(event.recurringEventId) || event.status !== 'cancelled' || inComingWeek(event)) {
        add(event, seq);
      }
      continue;
    }
    if (event.status === 'cancelled') {
      add(event, seq);
      const stop = nowMs + CANCELLED_SERIES_WINDOW_MS + DAY_MS;
      for (const instance of store.instancesOf(calendar, event, stop)) {
        if (inComingWeek(instance)) add(instance, seq);
      }
      continue;
    }
    const instances = store.instancesOf(calendar, event);
    for (const instance of instances) add(instance, seq);
    const before = revisionAt(record, sinceSeq);
    if (before === undefined) continue;
    const remaining = new Set(instances.map((instance) => instance.id));
    for (const gone of store.instancesOf(calendar, before.event)) {
      if (!remaining.has(gone.id)) add({ ...gone, status: 'cancelled' }, seq);
    }
  }
  return [...changes.values()].sort(byKey);
}

/** What goes on the wire: a copy, and for a cancelled event only Google's minimal tombstone. */
export function toWire(event: GoogleEvent): GoogleEvent {
  if (event.status !== 'cancelled') return structuredClone(guestView(event));
  return {
    kind: event.kind,
    etag: event.etag,
    id: event.id,
    status: 'cancelled',
    ...(event.recurringEventId === undefined
      ? {}
      : {
          recurringEventId: event.recurringEventId,
          originalStartTime: structuredClone(event.originalStartTime),
        }),
  };
}
