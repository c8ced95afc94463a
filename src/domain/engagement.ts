/**
 * How often we meet an account, in calendar weeks. Weeks start on Monday 00:00 UTC (ISO weeks) for every account:
 * accounts have no time zone of their own, and one boundary for all keeps the list's columns comparable.
 */

const DAY_MS = 86_400_000;

/** "Meetings in the last N days" counts meetings that started in (now − N days, now]. */
export const RECENT_DAYS = 30;
export const QUARTER_DAYS = 90;

export interface WeekCount {
  /** The week's Monday, YYYY-MM-DD (UTC). */
  weekStart: string;
  meetings: number;
}

/** The Monday 00:00 UTC of the week holding `at`. */
export function weekStartOf(at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysSinceMonday = (at.getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY_MS);
}

/**
 * The weeks a chart shows: `past` weeks ending with the current one, then `ahead` weeks after it, oldest first.
 * `from` is the first week's start, `until` the end of the last week (exclusive).
 */
export function weekRange(
  now: Date,
  past: number,
  ahead: number,
): { starts: string[]; from: Date; until: Date } {
  const current = weekStartOf(now).getTime();
  const from = current - (past - 1) * 7 * DAY_MS;
  const starts = Array.from({ length: past + ahead }, (_, i) => isoDate(new Date(from + i * 7 * DAY_MS)));
  return { starts, from: new Date(from), until: new Date(current + (ahead + 1) * 7 * DAY_MS) };
}

/** Every week of `starts` with its count (0 where `counts` has none). */
export function fillWeeks(starts: readonly string[], counts: ReadonlyMap<string, number>): WeekCount[] {
  return starts.map((weekStart) => ({ weekStart, meetings: counts.get(weekStart) ?? 0 }));
}

export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}
