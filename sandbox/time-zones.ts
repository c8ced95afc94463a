/** Civil (wall-clock) date and time; months are 1-12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function toLocal(utcMs: number, timeZone: string): LocalDateTime {
  const parts = formatter(timeZone).formatToParts(new Date(utcMs));
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((candidate) => candidate.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

function civilMs(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

function offsetMs(utcMs: number, timeZone: string): number {
  const wholeSeconds = Math.floor(utcMs / 1000) * 1000;
  return civilMs(toLocal(wholeSeconds, timeZone)) - wholeSeconds;
}

/** The instant a wall-clock time denotes in a zone; the second pass settles times near a DST change. */
export function fromLocal(local: LocalDateTime, timeZone: string): number {
  const asUtc = civilMs(local);
  const firstGuess = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(firstGuess, timeZone);
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** RFC 3339 with the zone's offset at that instant, as Google writes it (`Z` for UTC). */
export function formatDateTime(utcMs: number, timeZone: string): string {
  const local = toLocal(utcMs, timeZone);
  const offsetMinutes = Math.round(offsetMs(utcMs, timeZone) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
  return `${formatDate(local)}T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}${offset}`;
}

export function formatDate(date: { year: number; month: number; day: number }): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

export function parseDate(date: string): LocalDateTime {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day, hour: 0, minute: 0, second: 0 };
}

export function addDays(date: string, days: number): string {
  const moved = new Date(civilMs(parseDate(date)) + days * DAY_MS);
  return formatDate({
    year: moved.getUTCFullYear(),
    month: moved.getUTCMonth() + 1,
    day: moved.getUTCDate(),
  });
}

/** 0 = Monday ... 6 = Sunday (iCalendar weeks start on Monday). */
export function weekdayOf(date: string): number {
  return (new Date(civilMs(parseDate(date))).getUTCDay() + 6) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Midnight of a calendar date in a zone: where an all-day event starts for time-window filters. */
export function startOfDate(date: string, timeZone: string): number {
  return fromLocal(parseDate(date), timeZone);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;
const HAS_OFFSET = /(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The instant of an RFC 3339 date-time. Google accepts one without an offset when a time zone says where it
 * is; `null` when neither is there or it is not a date-time.
 */
export function parseDateTime(value: string, timeZone: string | undefined): number | null {
  if (!RFC3339.test(value)) return null;
  if (HAS_OFFSET.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (timeZone === undefined) return null;
  const [date, time] = value.split('T') as [string, string];
  const [hour, minute, second] = time.split(':').map((part) => Math.floor(Number(part))) as [
    number,
    number,
    number,
  ];
  return fromLocal({ ...parseDate(date), hour, minute, second }, timeZone);
}
