import { parse } from 'csv-parse/sync';
import type { z } from 'zod';

import type { ImportRow } from '../../application/import-preview';
import { MAX_BATCH_ROWS } from '../../application/batch-limits';
import type { Account, Contact } from '../../domain/account';
import { putAccountsSchema, putContactsSchema } from './admin-api.schemas';

/** The columns of an upload and how a row's cells become what the JSON API's row schema validates. */
export interface CsvColumns<T> {
  /** Column names as the page shows them; the header may write them in any case and order. */
  names: readonly string[];
  /** The columns a file may leave out. */
  optional: readonly string[];
  /** The cells by column name; an optional column that the file lacks is absent. */
  toInput(cells: Readonly<Record<string, string>>): unknown;
  /** The JSON API's schema of one row, so that both take exactly the same rows. */
  schema: z.ZodType<T>;
}

export const accountColumns: CsvColumns<Account> = {
  names: ['id', 'name', 'domains'],
  optional: [],
  toInput: (cells) => ({
    id: cells.id,
    name: cells.name,
    domains: cells.domains!.split(/[\s,;]+/).filter((domain) => domain !== ''),
  }),
  schema: putAccountsSchema.in.element,
};

export const contactColumns: CsvColumns<Contact> = {
  names: ['email', 'name', 'accountId'],
  optional: ['name'],
  // Without a name column the stored names stay; an empty cell clears one (the JSON API's "" does the same).
  toInput: ({ name, ...cells }) => ({ ...cells, ...(name === undefined ? {} : { name }) }),
  schema: putContactsSchema.in.element,
};

export type ReadCsv<T> = { rows: ImportRow<T>[] } | { problems: string[] };

/**
 * Reads an upload: a header row naming the columns (in any order), then one row per record. What makes the
 * whole file unusable (not CSV, no header, unknown or missing columns, too many rows) is a problem of the file;
 * anything wrong with one row rejects that row only. Rows are numbered as a spreadsheet does (the header is
 * row 1), and blank rows are skipped but counted.
 */
export function readCsv<T>(text: string, columns: CsvColumns<T>): ReadCsv<T> {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true });
  } catch (error) {
    return { problems: [`The file is not valid CSV: ${(error as Error).message}`] };
  }
  const { names } = columns;
  const expected = `the columns are ${names.join(', ')}`;
  const [header, ...body] = records;
  if (header === undefined || isBlank(header)) {
    return { problems: [`The first row must name the columns: ${expected}`] };
  }
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  const problems: string[] = [];
  const fields = header.map((cell) => {
    const name = byLowerCase.get(cell.trim().toLowerCase());
    if (name === undefined) problems.push(`Unknown column "${cell.trim()}": ${expected}`);
    return name;
  });
  for (const name of names) {
    const count = fields.filter((field) => field === name).length;
    if (count > 1) problems.push(`The column "${name}" is named ${count} times`);
    if (count === 0 && !columns.optional.includes(name))
      problems.push(`Missing column "${name}": ${expected}`);
  }
  const rows = body.flatMap((cells, index) => (isBlank(cells) ? [] : [{ row: index + 2, cells }]));
  if (rows.length > MAX_BATCH_ROWS) {
    problems.push(`At most ${MAX_BATCH_ROWS} rows per upload (this one has ${rows.length}): split the file`);
  }
  if (problems.length > 0) return { problems };
  return { rows: rows.map(({ row, cells }) => readRow(row, cells, fields as string[], columns)) };
}

function readRow<T>(row: number, cells: string[], fields: string[], columns: CsvColumns<T>): ImportRow<T> {
  if (cells.length !== fields.length) {
    return {
      row,
      value: null,
      problems: [`has ${cells.length} cells where the header has ${fields.length}`],
    };
  }
  const input = columns.toInput(Object.fromEntries(fields.map((field, i) => [field, cells[i]!])));
  const parsed = columns.schema.safeParse(input);
  if (parsed.success) return { row, value: parsed.data };
  return {
    row,
    value: null,
    problems: parsed.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${String(issue.path[0])}: ${issue.message}`,
    ),
  };
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}
