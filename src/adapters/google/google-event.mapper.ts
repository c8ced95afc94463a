import { z } from 'zod';

import type { EventsPage } from '../../application/ports/calendar-gateway.port';
import type { CalendarEvent, EventAttendee, EventTime } from '../../domain/meeting';

const eventTimeSchema = z.object({
  date: z.string().nullish(),
  dateTime: z.string().nullish(),
  timeZone: z.string().nullish(),
});

const attendeeSchema = z.object({
  email: z.string().nullish(),
  displayName: z.string().nullish(),
  responseStatus: z.string().nullish(),
  resource: z.boolean().nullish(),
  self: z.boolean().nullish(),
});

/** Google's event resource, as much of it as we read (zod: Google payloads are an edge too). */
const eventSchema = z.object({
  id: z.string().min(1),
  status: z.string().nullish(),
  iCalUID: z.string().nullish(),
  recurringEventId: z.string().nullish(),
  eventType: z.string().nullish(),
  visibility: z.string().nullish(),
  summary: z.string().nullish(),
  start: eventTimeSchema.nullish(),
  end: eventTimeSchema.nullish(),
  originalStartTime: eventTimeSchema.nullish(),
  attendees: z.array(attendeeSchema).nullish(),
  attendeesOmitted: z.boolean().nullish(),
  updated: z.string().nullish(),
});

const pageSchema = z.object({
  items: z.array(z.unknown()).nullish(),
  nextPageToken: z.string().nullish(),
  nextSyncToken: z.string().nullish(),
  timeZone: z.string().nullish(),
});

export interface MappedPage {
  page: EventsPage;
  /** Items that were not events we could read; skipped. */
  skipped: number;
}

export function mapEventsPage(data: unknown): MappedPage {
  const page = pageSchema.parse(data);
  const events: CalendarEvent[] = [];
  let skipped = 0;
  for (const item of page.items ?? []) {
    const event = mapEvent(item);
    if (event === null) skipped++;
    else events.push(event);
  }
  return {
    page: {
      events,
      nextPageToken: page.nextPageToken ?? null,
      nextSyncToken: page.nextSyncToken ?? null,
      timeZone: page.timeZone ?? null,
    },
    skipped,
  };
}

export function mapEvent(item: unknown): CalendarEvent | null {
  const parsed = eventSchema.safeParse(item);
  if (!parsed.success) return null;
  const event = parsed.data;
  if (event.status === 'cancelled') return { status: 'cancelled', eventId: event.id };
  const start = toEventTime(event.start);
  const end = toEventTime(event.end);
  if (start === null || end === null) return null;
  return {
    status: event.status === 'tentative' ? 'tentative' : 'confirmed',
    eventId: event.id,
    iCalUID: event.iCalUID ?? event.id,
    seriesId: event.recurringEventId ?? null,
    originalStart: toEventTime(event.originalStartTime),
    // Without an `eventType` an event is a regular one ("default - A regular event or not further specified").
    eventType: event.eventType ?? 'default',
    private: event.visibility === 'private' || event.visibility === 'confidential',
    title: event.summary ?? '',
    start,
    end,
    attendees: (event.attendees ?? []).flatMap((attendee): EventAttendee[] =>
      attendee.email
        ? [
            {
              email: attendee.email,
              displayName: attendee.displayName ?? null,
              responseStatus: attendee.responseStatus ?? null,
              resource: attendee.resource ?? false,
              ...(attendee.self === true ? { self: true } : {}),
            },
          ]
        : [],
    ),
    attendeesOmitted: event.attendeesOmitted ?? false,
    updated: parseInstant(event.updated) ?? new Date(0),
  };
}

function toEventTime(time: z.infer<typeof eventTimeSchema> | null | undefined): EventTime | null {
  if (!time) return null;
  if (time.dateTime) {
    const at = parseInstant(time.dateTime);
    return at === null ? null : { kind: 'instant', at, timeZone: time.timeZone ?? null };
  }
  if (time.date && /^\d{4}-\d{2}-\d{2}$/.test(time.date)) return { kind: 'day', date: time.date };
  return null;
}

function parseInstant(value: string | null | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
