import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { z } from 'zod';

import type { ImportPreview, ImportRow } from '../../application/import-preview';
import type { AccountSummary } from '../../application/ports/account-repository.port';
import type { StoredContact } from '../../application/ports/contact-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type {
  AccountTimelineCursor,
  InteractionView,
  Page,
  TimelineCursor,
} from '../../application/ports/meeting-repository.port';
import type { GetAccount } from '../../application/use-cases/get-account.use-case';
import type { ListInteractions } from '../../application/use-cases/list-interactions.use-case';
import type { ListInteractionsByDate } from '../../application/use-cases/list-interactions-by-date.use-case';
import type { PreviewAccountImport } from '../../application/use-cases/preview-account-import.use-case';
import type { PreviewContactImport } from '../../application/use-cases/preview-contact-import.use-case';
import type { UpsertAccounts } from '../../application/use-cases/upsert-accounts.use-case';
import type { UpsertContacts } from '../../application/use-cases/upsert-contacts.use-case';
import { MAX_BATCH_ROWS } from '../../application/batch-limits';
import type { Account, Contact } from '../../domain/account';
import { DomainError, NotFoundError, ValidationFailedError } from '../../domain/errors';
import { accountColumns, contactColumns, type CsvColumns, readCsv } from './csv-import';
import { interactionsCsv, interactionsCsvHeader } from './csv-export';
import { MAX_CSV_BYTES, multipartFields, uploadedCsv } from './csv-upload';
import { httpStatusOf, zodIssues } from './errors';
import { protectedForm } from './forms';
import { adminNav } from './admin-nav';
import { html, page, type SafeHtml } from './html';
import { accountIdParam } from './ids';
import type { Sessions } from './session';
import { parseIsoDate } from './time-params';

export interface AdminCsvDependencies {
  sessions: Sessions;
  logger: Logger;
  previewAccountImport: PreviewAccountImport;
  previewContactImport: PreviewContactImport;
  upsertAccounts: UpsertAccounts;
  upsertContacts: UpsertContacts;
  getAccount: GetAccount;
  listInteractions: ListInteractions;
  listInteractionsByDate: ListInteractionsByDate;
}

/** Rows of each kind a preview lists; the counts cover all of them. */
const ROWS_SHOWN = 200;
/** Interactions read per query while an export streams. */
const EXPORT_PAGE_SIZE = 1_000;

/** A table of a preview: its columns after the row number. */
type Columns<R> = { header: string; cell: (row: R) => SafeHtml | string }[];

/** One kind of upload: its columns, how its rows are previewed and applied, and how its changes are shown. */
interface ImportKind<T, Stored> {
  path: 'accounts' | 'contacts';
  title: string;
  columns: CsvColumns<T>;
  help: SafeHtml;
  example: string;
  preview(rows: ImportRow<T>[]): Promise<ImportPreview<T, Stored>>;
  apply(rows: T[]): Promise<unknown>;
  created: Columns<{ value: T }>;
  updated: Columns<{ value: T; stored: Stored }>;
}

/**
 * CSV on the admin pages: accounts and contacts in (previewed, then applied in one go by the same use cases as
 * the JSON API), interactions out. Mounted after adminPagesRouter, whose guard admits only admins to /admin.
 */
export function adminCsvRouter(deps: AdminCsvDependencies): Router {
  const router = Router();

  const accounts: ImportKind<Account, AccountSummary> = {
    path: 'accounts',
    title: 'Accounts',
    columns: accountColumns,
    help: html`<code>id</code> is the account's id in your CRM; <code>domains</code> lists its email domains,
      separated by spaces, semicolons or commas (quote a cell with commas), and replaces the stored list (an
      empty cell: no domains).`,
    example: 'id,name,domains\nlogo,Logo Inc,logo.com logo.io\nacme,"Acme, Ltd",acme.com',
    preview: (rows) => deps.previewAccountImport.execute(rows),
    apply: (rows) => deps.upsertAccounts.execute(rows),
    created: [
      { header: 'Id', cell: ({ value }) => value.id },
      { header: 'Name', cell: ({ value }) => value.name },
      { header: 'Domains', cell: ({ value }) => domainList(value.domains.map((domain) => domain.value)) },
    ],
    updated: [
      { header: 'Id', cell: ({ value }) => value.id },
      { header: 'Name now', cell: ({ stored }) => stored.name },
      { header: 'Name after', cell: ({ value }) => value.name },
      { header: 'Domains now', cell: ({ stored }) => domainList(stored.domains) },
      {
        header: 'Domains after',
        cell: ({ value }) => domainList(value.domains.map((domain) => domain.value).sort()),
      },
    ],
  };

  const contacts: ImportKind<Contact, StoredContact> = {
    path: 'contacts',
    title: 'Contacts',
    columns: contactColumns,
    help: html`<code>accountId</code> must be the id of an existing account. <code>name</code> is optional:
      without that column the stored names stay; an empty cell clears a name.`,
    example: 'email,name,accountId\ntess@logo.com,Tess Ter,logo\nomar@acme.com,,acme',
    preview: (rows) => deps.previewContactImport.execute(rows),
    apply: (rows) => deps.upsertContacts.execute(rows),
    created: [
      { header: 'Email', cell: ({ value }) => value.email.value },
      { header: 'Name', cell: ({ value }) => value.name ?? '' },
      { header: 'Account', cell: ({ value }) => value.accountId },
    ],
    updated: [
      { header: 'Email', cell: ({ value }) => value.email.value },
      { header: 'Name now', cell: ({ stored }) => stored.name ?? '' },
      {
        header: 'Name after',
        cell: ({ value, stored }) => (value.name === undefined ? stored.name : value.name) ?? '',
      },
      { header: 'Account now', cell: ({ stored }) => stored.accountId },
      { header: 'Account after', cell: ({ value }) => value.accountId },
    ],
  };

  router.get('/admin/import', (req, res) => {
    const csrf = deps.sessions.csrfToken(req) ?? '';
    send(
      res,
      200,
      'Import and export CSV',
      html`${adminNav('/admin/import')}
        <h1>Import and export CSV</h1>
        <p>
          A file needs a header row naming its columns, in any order, then one row per record: UTF-8, at most
          ${MAX_BATCH_ROWS} rows and ${MAX_CSV_BYTES / 1024 / 1024} MB. You see what would change before
          anything is written; applying writes every row in one transaction, or nothing.
        </p>
        ${importSection(accounts, csrf)} ${importSection(contacts, csrf)}
        <h2>Export interactions</h2>
        <p>
          Every account's interactions whose date (the meeting's day in its time zone) is within the days,
          both included; leave a day empty for no bound. Rows are ordered by account id, then oldest first.
          One account's interactions (newest first) download from
          <code>/admin/accounts/ACCOUNT-ID/interactions.csv?from=YYYY-MM-DD&amp;to=YYYY-MM-DD</code>.
        </p>
        <form method="get" action="/admin/interactions.csv">
          <p>
            <label for="export-from">From</label>
            <input id="export-from" name="from" type="date" />
            <label for="export-to">To</label>
            <input id="export-to" name="to" type="date" />
          </p>
          <p><button type="submit">Export CSV</button></p>
        </form>`,
    );
  });

  addImportRoutes(router, deps.sessions, accounts);
  addImportRoutes(router, deps.sessions, contacts);

  router.get('/admin/accounts/:id/interactions.csv', async (req: Request<{ id: string }>, res) => {
    const days = exportDays(req.query);
    const account = await deps.getAccount.execute(accountIdParam(req.params.id));
    await streamCsv(res, deps.logger, exportFilename(account.id, days), async function* () {
      let after: TimelineCursor | null = null;
      do {
        const page: Page<InteractionView> | null = await deps.listInteractions
          .execute({
            accountId: account.id,
            from: null,
            to: null,
            fromDate: days.from,
            toDate: days.to,
            limit: EXPORT_PAGE_SIZE,
            after,
          })
          .catch((error: unknown) => {
            // Deleted during the export: its interactions went with it, so the file ends where it is.
            if (after !== null && error instanceof NotFoundError) return null;
            throw error;
          });
        if (page === null) return;
        yield interactionsCsv(page.items.map((interaction) => ({ interaction, accountName: account.name })));
        after = page.next;
      } while (after !== null);
    });
  });

  router.get('/admin/interactions.csv', async (req, res) => {
    const days = exportDays(req.query);
    await streamCsv(res, deps.logger, exportFilename(null, days), async function* () {
      let after: AccountTimelineCursor | null = null;
      do {
        const page = await deps.listInteractionsByDate.execute({
          fromDate: days.from,
          toDate: days.to,
          limit: EXPORT_PAGE_SIZE,
          after,
        });
        yield interactionsCsv(
          page.items.map((interaction) => ({ interaction, accountName: interaction.accountName })),
        );
        after = page.next;
      } while (after !== null);
    });
  });

  // Errors of these pages are pages too: a bad day, an unknown account, an upload too large.
  router.use('/admin', ((error, _req, res, next) => {
    const status = clientErrorStatus(error);
    if (status === null || res.headersSent) {
      next(error);
      return;
    }
    const title = status === 404 ? 'Not found' : status === 413 ? 'Too large' : 'Refused';
    const message =
      status === 413
        ? TOO_LARGE
        : error instanceof DomainError
          ? error.message
          : 'The request could not be read: send it again.';
    const issues = error instanceof ValidationFailedError ? error.issues : [];
    send(
      res,
      status,
      title,
      html`${adminNav('/admin/import')}
        <h1>${title}</h1>
        <div class="error" role="alert">
          <p>${message}</p>
          ${
            issues.length === 0
              ? ''
              : html`<ul>
                  ${issues.map((issue) => html`<li>${[...issue.path, issue.message].join(' ')}</li>`)}
                </ul>`
          }
        </div>
        <p><a href="/admin/import">Back to import and export</a></p>`,
    );
  }) satisfies ErrorRequestHandler);

  return router;
}

const TOO_LARGE = `The CSV is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB: split it into smaller files.`;

function addImportRoutes<T, Stored>(router: Router, sessions: Sessions, kind: ImportKind<T, Stored>): void {
  const form = [...multipartFields(), ...protectedForm(sessions)];

  /** The upload read and previewed, or the page that says why it cannot be. */
  async function previewOf(
    req: Request,
    res: Response,
  ): Promise<{ csv: string; preview: ImportPreview<T, Stored> } | null> {
    const csrf = sessions.csrfToken(req) ?? '';
    const upload = uploadedCsv(req.body);
    if ('problem' in upload) {
      const problem = {
        missing: 'Choose a CSV file or paste the CSV.',
        both: 'Choose a file or paste the CSV, not both.',
        too_large: TOO_LARGE,
      }[upload.problem];
      refuse(res, upload.problem === 'too_large' ? 413 : 400, kind, csrf, [problem], '');
      return null;
    }
    const read = readCsv(upload.csv, kind.columns);
    if ('problems' in read) {
      refuse(res, 400, kind, csrf, read.problems, upload.csv);
      return null;
    }
    return { csv: upload.csv, preview: await kind.preview(read.rows) };
  }

  router.post(`/admin/import/${kind.path}/preview`, ...form, async (req, res) => {
    const result = await previewOf(req, res);
    if (result === null) return;
    send(
      res,
      200,
      `${kind.title} CSV: preview`,
      previewPage(kind, result.preview, result.csv, req, sessions),
    );
  });

  router.post(`/admin/import/${kind.path}/apply`, ...form, async (req, res) => {
    // Read and checked again: the data may have changed since the preview, and the form may not be ours.
    const result = await previewOf(req, res);
    if (result === null) return;
    const { preview } = result;
    if (preview.rejected.length > 0) {
      send(res, 400, `${kind.title} CSV: preview`, previewPage(kind, preview, result.csv, req, sessions));
      return;
    }
    // What is applied is what the admin saw: if the stored data changed since, they see the new preview first.
    if ((req.body as Record<string, unknown>).digest !== previewDigest(preview)) {
      send(
        res,
        409,
        `${kind.title} CSV: preview`,
        previewPage(kind, preview, result.csv, req, sessions, STALE_PREVIEW),
      );
      return;
    }
    await kind.apply(preview.accepted);
    send(
      res,
      200,
      `${kind.title} CSV: applied`,
      html`${adminNav('/admin/import')}
        <h1>${kind.title} CSV applied</h1>
        <p class="notice" role="status">
          ${counts(preview)} Meetings of the changed ${kind.path} are matched again.
        </p>
        <p>
          <a href="/admin/accounts">See the accounts</a> ·
          <a href="/admin/import">Import another file</a>
        </p>`,
    );
  });
}

function importSection<T, Stored>(kind: ImportKind<T, Stored>, csrf: string): SafeHtml {
  return html`<h2 id="${kind.path}">${kind.title}</h2>
    <p>Columns: <code>${kind.columns.names.join(',')}</code>. ${kind.help}</p>
    <p>For example:</p>
    <pre>${kind.example}</pre>
    ${importForm(kind, csrf, '')}`;
}

function importForm<T, Stored>(kind: ImportKind<T, Stored>, csrf: string, csv: string): SafeHtml {
  return html`<form method="post" action="/admin/import/${kind.path}/preview" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="${csrf}" />
    <p>
      <label for="${kind.path}-file">${kind.title} CSV file</label><br />
      <input id="${kind.path}-file" name="file" type="file" accept=".csv,text/csv" />
    </p>
    <p>
      <label for="${kind.path}-csv">or paste the ${kind.path} CSV</label><br />
      <textarea id="${kind.path}-csv" name="csv" rows="8" cols="80">${csv}</textarea>
    </p>
    <p><button type="submit">Preview ${kind.path}</button></p>
  </form>`;
}

/** A file that cannot be previewed at all: why, and the form again with its text to fix. */
function refuse<T, Stored>(
  res: Response,
  status: number,
  kind: ImportKind<T, Stored>,
  csrf: string,
  problems: string[],
  csv: string,
): void {
  send(
    res,
    status,
    `${kind.title} CSV refused`,
    html`${adminNav('/admin/import')}
      <h1>${kind.title} CSV refused</h1>
      <div class="error" role="alert">
        <p>Nothing was read or written:</p>
        <ul>
          ${problems.map((problem) => html`<li>${problem}</li>`)}
        </ul>
      </div>
      ${importForm(kind, csrf, status === 413 ? '' : csv)}`,
  );
}

const STALE_PREVIEW =
  'The stored data changed since the preview: nothing was applied. Check the changes below and apply again.';

/** What a preview showed (every change with the stored values it replaces), so that Apply can tell it still holds. */
function previewDigest(preview: ImportPreview<unknown, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([preview.created, preview.updated, preview.unchanged]))
    .digest('base64url');
}

function previewPage<T, Stored>(
  kind: ImportKind<T, Stored>,
  preview: ImportPreview<T, Stored>,
  csv: string,
  req: Request,
  sessions: Sessions,
  notice: string | null = null,
): SafeHtml {
  const csrf = sessions.csrfToken(req) ?? '';
  const changes = preview.created.length + preview.updated.length;
  return html`${adminNav('/admin/import')}
    <h1>${kind.title} CSV: preview</h1>
    ${notice === null ? '' : html`<p class="error" role="alert">${notice}</p>`}
    <p class="notice" role="status">${counts(preview)}</p>
    ${
      preview.rejected.length > 0
        ? html`<p class="error" role="alert">
              Nothing is applied while a row is rejected: fix the rows below (row numbers count the header as
              row 1) and preview again.
            </p>
            ${rowsTable('Rejected rows', 'rejected', [{ header: 'Reasons', cell: reasonList }], preview.rejected)}`
        : changes === 0
          ? html`<p>Nothing to change: every row is as stored.</p>`
          : html`<form method="post" action="/admin/import/${kind.path}/apply" enctype="multipart/form-data">
              <input type="hidden" name="csrf" value="${csrf}" />
              <input type="hidden" name="csv" value="${csv}" />
              <input type="hidden" name="digest" value="${previewDigest(preview)}" />
              <p><button type="submit">Apply ${changes} ${changes === 1 ? 'change' : 'changes'}</button></p>
            </form>`
    }
    ${preview.created.length === 0 ? '' : rowsTable('To create', 'to-create', kind.created, preview.created)}
    ${preview.updated.length === 0 ? '' : rowsTable('To update', 'to-update', kind.updated, preview.updated)}
    ${
      preview.rejected.length === 0
        ? html`<p><a href="/admin/import">Start again with another file</a></p>`
        : html`<h2>Edit and preview again</h2>
            ${importForm(kind, csrf, csv)}`
    }`;
}

function counts(preview: ImportPreview<unknown, unknown>): SafeHtml {
  const count = (name: string, value: number, label: string) =>
    html`<span data-count="${name}">${value}</span> ${label}`;
  return html`${count('created', preview.created.length, 'to create')},
  ${count('updated', preview.updated.length, 'to update')},
  ${count('unchanged', preview.unchanged, 'unchanged')},
  ${count('rejected', preview.rejected.length, 'rejected')}.`;
}

/** A heading and the table it names, with the first rows only when there are many. */
function rowsTable<R extends { row: number }>(
  heading: string,
  id: string,
  columns: Columns<R>,
  rows: readonly R[],
): SafeHtml {
  return html`<h2 id="${id}">${heading}</h2>
    ${rows.length > ROWS_SHOWN ? html`<p>The first ${ROWS_SHOWN} of ${rows.length}:</p>` : ''}
    <table aria-labelledby="${id}">
      <thead>
        <tr>
          <th scope="col">Row</th>
          ${columns.map((column) => html`<th scope="col">${column.header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.slice(0, ROWS_SHOWN).map(
          (row) =>
            html`<tr data-row="${row.row}">
              <th scope="row">${row.row}</th>
              ${columns.map((column) => html`<td>${column.cell(row)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function reasonList({ reasons }: { reasons: string[] }): SafeHtml {
  return html`<ul>
    ${reasons.map((reason) => html`<li>${reason}</li>`)}
  </ul>`;
}

function domainList(domains: readonly string[]): string {
  return domains.length === 0 ? '(none)' : domains.join(' ');
}

/** An export's days: YYYY-MM-DD that exist, both optional (an empty form field is no bound). */
const day = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === '') return null;
    const date = parseIsoDate(value);
    if (date === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a day that exists, as YYYY-MM-DD' });
      return z.NEVER;
    }
    return date;
  });

const exportQuerySchema = z
  .object({ from: day.optional(), to: day.optional() })
  .transform(({ from, to }) => ({ from: from ?? null, to: to ?? null }))
  .refine(({ from, to }) => from === null || to === null || from <= to, {
    message: 'must not be before "from"',
    path: ['to'],
  });

function exportDays(query: unknown): { from: string | null; to: string | null } {
  const parsed = exportQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationFailedError(zodIssues(parsed.error), 'The days are not valid');
  return parsed.data;
}

function exportFilename(accountId: string | null, days: { from: string | null; to: string | null }): string {
  const who = accountId === null ? 'all' : accountId.replace(/[^A-Za-z0-9._-]+/g, '_');
  const range = [days.from === null ? '' : `-from-${days.from}`, days.to === null ? '' : `-to-${days.to}`];
  return `interactions-${who}${range.join('')}.csv`;
}

/**
 * Streams the header, then each chunk as it is read, at the pace the client takes them: an export of every
 * interaction never sits in memory. A client that goes away stops the reading.
 */
async function streamCsv(
  res: Response,
  logger: Logger,
  filename: string,
  chunks: () => AsyncGenerator<string>,
): Promise<void> {
  res.attachment(filename);
  res.set('Content-Type', 'text/csv; charset=utf-8');
  async function* body() {
    yield interactionsCsvHeader();
    yield* chunks();
  }
  try {
    await pipeline(Readable.from(body()), res);
  } catch (error) {
    // The answer has begun: there is no status left to send, only a download cut short.
    if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.error('CSV export failed', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
  }
}

/** The 4xx status of an error these pages answer themselves, or null for one left to the app. */
function clientErrorStatus(error: unknown): number | null {
  if (error instanceof DomainError) {
    const status = httpStatusOf(error);
    return status < 500 ? status : null;
  }
  // What express and its body parsers raise for the client's request (a body too large, malformed).
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

function send(res: Response, status: number, title: string, body: SafeHtml): void {
  res.status(status).type('html').send(page(title, body));
}
