import { stringify } from 'csv-stringify/sync';

import type { InteractionView } from '../../application/ports/meeting-repository.port';

const COLUMNS = [
  'interaction_id',
  'account_id',
  'account_name',
  'date',
  'start_time',
  'duration_minutes',
  'title',
  'private',
  'matched_by',
  'participants',
];

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a cell gets a
 * leading apostrophe, which spreadsheets show as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function defuse(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * RFC 4180 records (CRLF, quoted when needed). The header starts with a byte order mark: without it Excel reads
 * the file in the machine's legacy encoding and garbles names.
 */
export function interactionsCsvHeader(): string {
  return stringify([COLUMNS], { bom: true, record_delimiter: 'windows' });
}

export function interactionsCsv(
  rows: readonly { interaction: InteractionView; accountName: string }[],
): string {
  return stringify(
    rows.map(({ interaction: i, accountName }) => [
      i.id,
      i.accountId,
      accountName,
      i.date,
      i.startTime,
      String(i.durationMinutes),
      i.title,
      String(i.private),
      i.matchedBy,
      i.participants
        .map((p) => `${p.name === null ? p.email : `${p.name} <${p.email}>`} (${p.minutesInMeeting} min)`)
        .join('; '),
    ]),
    { record_delimiter: 'windows', cast: { string: defuse } },
  );
}
