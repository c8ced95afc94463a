import { ValidationFailedError, type ValidationIssue } from '../domain/errors';

/** Rows one bulk request may carry: enough for any CRM export slice, small enough for one bounded transaction. */
export const MAX_BATCH_ROWS = 10_000;

/** Rejects a batch naming one key twice: which of the two rows should win would be a guess. */
export function assertUniqueKeys<T>(rows: readonly T[], key: (row: T) => string, field: string): void {
  const firstIndex = new Map<string, number>();
  const issues: ValidationIssue[] = [];
  rows.forEach((row, index) => {
    const value = key(row);
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else
      issues.push({
        path: [index, field],
        message: `duplicate ${field} "${value}" (also at index ${first})`,
      });
  });
  if (issues.length > 0) throw new ValidationFailedError(issues);
}
