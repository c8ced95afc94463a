/**
 * One row of an upload as the adapter read it: its row number (as a spreadsheet counts them, the header being
 * row 1) and its value, or the reasons it could not be read.
 */
export type ImportRow<T> = { row: number; value: T } | { row: number; value: null; problems: string[] };

export interface RejectedRow {
  row: number;
  reasons: string[];
}

/** What applying an upload would change, decided against the stored data. */
export interface ImportPreview<T, Stored> {
  created: { row: number; value: T }[];
  updated: { row: number; value: T; stored: Stored }[];
  unchanged: number;
  rejected: RejectedRow[];
  /** Every row that is not rejected, in file order: what applying writes. */
  accepted: T[];
}

export interface ImportRules<T, Stored> {
  /** The row's key, and the field it is in (for the duplicate's reason). */
  key: (value: T) => string;
  keyField: string;
  /** What is stored now, by key. */
  stored: ReadonlyMap<string, Stored>;
  isUnchanged: (value: T, stored: Stored) => boolean;
  /** Reasons against a well-formed row that depend on the stored data (a contact's unknown account). */
  refuse?: (value: T) => string[];
}

/**
 * Sorts rows into created, updated, unchanged and rejected. A key named twice is rejected at its later rows, as
 * the JSON API refuses such a batch: which row should win would be a guess.
 */
export function previewImport<T, Stored>(
  rows: readonly ImportRow<T>[],
  rules: ImportRules<T, Stored>,
): ImportPreview<T, Stored> {
  const preview: ImportPreview<T, Stored> = {
    created: [],
    updated: [],
    unchanged: 0,
    rejected: [],
    accepted: [],
  };
  const firstRow = new Map<string, number>();
  for (const item of rows) {
    if ('problems' in item) {
      preview.rejected.push({ row: item.row, reasons: item.problems });
      continue;
    }
    const { row, value } = item;
    const key = rules.key(value);
    const first = firstRow.get(key);
    const reasons = [
      ...(first === undefined ? [] : [`duplicate ${rules.keyField} "${key}" (also at row ${first})`]),
      ...(rules.refuse?.(value) ?? []),
    ];
    if (first === undefined) firstRow.set(key, row);
    if (reasons.length > 0) {
      preview.rejected.push({ row, reasons });
      continue;
    }
    preview.accepted.push(value);
    const stored = rules.stored.get(key);
    if (stored === undefined) preview.created.push({ row, value });
    else if (rules.isUnchanged(value, stored)) preview.unchanged += 1;
    else preview.updated.push({ row, value, stored });
  }
  return preview;
}
