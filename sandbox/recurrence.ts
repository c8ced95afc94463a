import {
  addDays,
  daysInMonth,
  formatDate,
  fromLocal,
  isTimeZone,
  parseDate,
  startOfDate,
  toLocal,
  weekdayOf,
} from './time-zones';

/** Where one occurrence of a series starts: an instant for timed series, a date for all-day ones. */
export type OccurrenceStart = { utcMs: number } | { date: string };

export interface SeriesTiming {
  /** A timed series steps through wall-clock days in its own zone, so DST does not shift its hour. */
  start: { utcMs: number; timeZone: string } | { date: string };
  recurrence: string[];
}

interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  interval: number;
  count?: number;
  until?: string;
  /** 0 = Monday ... 6 = Sunday. */
  byDay?: number[];
}

interface Recurrence {
  rule: Rule;
  excludedInstants: Set<number>;
  excludedDates: Set<string>;
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const SUPPORTED_PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'WKST']);
const BASIC_DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/;

/** Thrown for rules the sandbox cannot expand, so a test never passes on a silently wrong expansion. */
export class RecurrenceError extends Error {}

function positiveInteger(value: string, part: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new RecurrenceError(`${part}=${value} is not a positive integer`);
  return Number(value);
}

function parseRule(line: string): Rule {
  const parts = new Map<string, string>();
  for (const field of line.slice('RRULE:'.length).split(';')) {
    const [key = '', value = ''] = field.split('=');
    if (!SUPPORTED_PARTS.has(key)) throw new RecurrenceError(`RRULE part "${key}" is not supported`);
    parts.set(key, value);
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') {
    throw new RecurrenceError(`FREQ=${freq ?? ''} is not supported (DAILY, WEEKLY or MONTHLY)`);
  }
  if (parts.has('COUNT') && parts.has('UNTIL'))
    throw new RecurrenceError('COUNT and UNTIL exclude each other');
  if (parts.has('WKST') && parts.get('WKST') !== 'MO') throw new RecurrenceError('only WKST=MO is supported');
  const byDay = parts.get('BYDAY');
  if (byDay !== undefined && freq !== 'WEEKLY')
    throw new RecurrenceError('BYDAY is supported for WEEKLY only');
  const until = parts.get('UNTIL');
  if (until !== undefined && !BASIC_DATE_TIME.test(until))
    throw new RecurrenceError(`UNTIL=${until} is invalid`);
  const count = parts.get('COUNT');
  return {
    freq,
    interval: positiveInteger(parts.get('INTERVAL') ?? '1', 'INTERVAL'),
    ...(count === undefined ? {} : { count: positiveInteger(count, 'COUNT') }),
    ...(until === undefined ? {} : { until }),
    ...(byDay === undefined ? {} : { byDay: parseByDay(byDay) }),
  };
}

function parseByDay(value: string): number[] {
  return value
    .split(',')
    .map((day) => {
      const index = WEEKDAYS.indexOf(day);
      if (index < 0) throw new RecurrenceError(`BYDAY=${day} is not supported (plain weekdays only)`);
      return index;
    })
    .sort((a, b) => a - b);
}

/** `20260302`, `20260302T100000` (wall clock in `timeZone`) or `20260302T090000Z`. */
function parseBasicDateTime(value: string, timeZone: string): { date: string; utcMs?: number } {
  const match = BASIC_DATE_TIME.exec(value);
  if (match === null) throw new RecurrenceError(`"${value}" is not an iCalendar date or date-time`);
  const [, year, month, day, hour, minute, second, utc] = match;
  const date = `${year}-${month}-${day}`;
  if (hour === undefined) return { date };
  const local = { ...parseDate(date), hour: Number(hour), minute: Number(minute), second: Number(second) };
  return { date, utcMs: fromLocal(local, utc === undefined ? timeZone : 'UTC') };
}

function parseExdate(line: string, timeZone: string, recurrence: Recurrence, timed: boolean): void {
  const colon = line.indexOf(':');
  const params = line.slice('EXDATE'.length, colon).split(';').filter(Boolean);
  const zone = params.find((param) => param.startsWith('TZID='))?.slice('TZID='.length) ?? timeZone;
  if (!isTimeZone(zone)) throw new RecurrenceError(`EXDATE time zone "${zone}" is unknown`);
  for (const value of line.slice(colon + 1).split(',')) {
    const parsed = parseBasicDateTime(value, zone);
    if (timed && parsed.utcMs !== undefined) recurrence.excludedInstants.add(parsed.utcMs);
    else recurrence.excludedDates.add(parsed.date);
  }
}

/** Parses Google's `recurrence` lines: one RRULE and any EXDATEs; anything else is refused. */
export function parseRecurrence(lines: string[], timeZone: string, timed: boolean): Recurrence {
  const rules = lines.filter((line) => line.startsWith('RRULE:'));
  if (rules.length !== 1) throw new RecurrenceError('a recurrence needs exactly one RRULE line');
  const recurrence: Recurrence = {
    rule: parseRule(rules[0]!),
    excludedInstants: new Set(),
    excludedDates: new Set(),
  };
  for (const line of lines) {
    if (line.startsWith('EXDATE') && line.includes(':')) parseExdate(line, timeZone, recurrence, timed);
    else if (!line.startsWith('RRULE:')) throw new RecurrenceError(`"${line}" is not supported`);
  }
  return recurrence;
}

function* candidateDates(rule: Rule, first: string): Generator<string> {
  if (rule.freq === 'DAILY') {
    for (let step = 0; ; step += 1) yield addDays(first, step * rule.interval);
  }
  if (rule.freq === 'WEEKLY') {
    const days = rule.byDay ?? [weekdayOf(first)];
    const monday = addDays(first, -weekdayOf(first));
    for (let week = 0; ; week += 1) {
      for (const day of days) {
        const date = addDays(monday, week * 7 * rule.interval + day);
        if (date >= first) yield date;
      }
    }
  }
  const { year, month, day } = parseDate(first);
  for (let step = 0; ; step += 1) {
    const monthIndex = month - 1 + step * rule.interval;
    const candidate = { year: year + Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1, day };
    // RFC 5545: a month without that day (the 31st, February 30th) has no occurrence.
    if (day <= daysInMonth(candidate.year, candidate.month)) yield formatDate(candidate);
  }
}

/**
 * The starts of a series' occurrences, EXDATEs removed (they still count towards COUNT, as RFC 5545 says).
 * Open-ended series stop at `horizonMs`; bounded ones are expanded whole. Every series stops before
 * `stopBeforeMs` (all-day occurrences count from midnight UTC).
 */
export function expandRecurrence(
  series: SeriesTiming,
  horizonMs: number,
  stopBeforeMs = Infinity,
): OccurrenceStart[] {
  const timed = 'utcMs' in series.start;
  const zone = 'utcMs' in series.start ? series.start.timeZone : 'UTC';
  const { rule, excludedInstants, excludedDates } = parseRecurrence(series.recurrence, zone, timed);
  const first = 'utcMs' in series.start ? toLocal(series.start.utcMs, zone) : parseDate(series.start.date);
  const firstDate = formatDate(first);
  const until = rule.until === undefined ? undefined : untilBound(rule.until, zone);
  const openEnded = rule.count === undefined && until === undefined;

  const starts: OccurrenceStart[] = [];
  let generated = 0;
  for (const date of candidateDates(rule, firstDate)) {
    const utcMs = timed
      ? fromLocal({ ...parseDate(date), hour: first.hour, minute: first.minute, second: first.second }, zone)
      : startOfDate(date, 'UTC');
    if (rule.count !== undefined && generated >= rule.count) break;
    if (until !== undefined && (timed ? utcMs > until.utcMs : date > until.date)) break;
    if ((openEnded && utcMs > horizonMs) || utcMs >= stopBeforeMs) break;
    generated += 1;
    if (excludedDates.has(date) || (timed && excludedInstants.has(utcMs))) continue;
    starts.push(timed ? { utcMs } : { date });
  }
  return starts;
}

/** UNTIL is inclusive; a date-only UNTIL includes that whole local day. */
function untilBound(value: string, timeZone: string): { utcMs: number; date: string } {
  const parsed = parseBasicDateTime(value, timeZone);
  if (parsed.utcMs !== undefined) {
    return { utcMs: parsed.utcMs, date: formatDate(toLocal(parsed.utcMs, timeZone)) };
  }
  return { utcMs: startOfDate(addDays(parsed.date, 1), timeZone) - 1, date: parsed.date };
}

/** Google's instance id suffix: `20260302T090000Z` for timed occurrences, `20260302` for all-day ones. */
export function instanceSuffix(start: OccurrenceStart): string {
  if ('date' in start) return start.date.replaceAll('-', '');
  return new Date(start.utcMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseInstanceId(id: string): { seriesId: string } | null {
  const match = /^(.+)_\d{8}(T\d{6}Z)?$/.exec(id);
  return match === null ? null : { seriesId: match[1]! };
}
