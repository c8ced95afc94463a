const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * A calendar day (YYYY-MM-DD) that exists, in years 1 to 9999. `Date.parse` accepts 2026-02-31 (it rolls over to
 * March) and PostgreSQL refuses it: this is the check both agree on.
 */
export function parseIsoDate(value: string): string | null {
  const match = DATE.exec(value);
  if (match === null || match[1] === '0000') return null;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value ? value : null;
}

/** An ISO 8601 instant with a zone (`Z` or an offset) whose every field exists; null otherwise. */
export function parseIsoInstant(value: string): Date | null {
  const match = INSTANT.exec(value);
  if (match === null || parseIsoDate(match[1]!) === null) return null;
  const [hours, minutes, seconds, offsetHours, offsetMinutes] = match
    .slice(2)
    .map((part) => Number(part ?? 0));
  if (hours! > 23 || minutes! > 59 || seconds! > 59 || offsetHours! > 15 || offsetMinutes! > 59) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
