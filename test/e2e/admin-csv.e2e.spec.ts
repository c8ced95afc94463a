import { parse } from 'csv-parse/sync';
import request from 'supertest';

import { ListInteractions } from '../../src/application/use-cases/list-interactions.use-case';
import { ListInteractionsByDate } from '../../src/application/use-cases/list-interactions-by-date.use-case';
import type { AccountTimelineCursor } from '../../src/application/ports/meeting-repository.port';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, type InteractionJson, startE2E } from '../support/e2e';

type Agent = ReturnType<typeof request.agent>;
type Counts = { created: number; updated: number; unchanged: number; rejected: number };

const ORIGIN = 'http://localhost:3000';

/** The day (YYYY-MM-DD, UTC) `days` from today. */
function day(days: number): string {
  return at(days, 12).slice(0, 10);
}

function countsOf(text: string): Counts {
  const count = (name: string) => Number(new RegExp(`data-count="${name}">(\\d+)<`).exec(text)![1]);
  return {
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
  };
}

/** Row number -> the cells of one table of a preview, found by the id of the heading that names it. */
function tableRows(text: string, heading: 'rejected' | 'to-create' | 'to-update'): Map<number, string[]> {
  const start = text.indexOf(`<table aria-labelledby="${heading}">`);
  if (start === -1) return new Map();
  const end = text.indexOf('</table>', start);
  const rows = new Map<number, string[]>();
  for (const [, row, body] of text.slice(start, end).matchAll(/<tr data-row="(\d+)">([\s\S]*?)<\/tr>/g)) {
    rows.set(
      Number(row),
      [...body!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(([, cell]) => cell!.replace(/\s+/g, ' ').trim()),
    );
  }
  return rows;
}

/** Rejected row number -> its reasons. */
function rejectedOf(text: string): Map<number, string[]> {
  const rows = tableRows(text, 'rejected');
  return new Map(
    [...rows].map(([row, [reasons]]) => [
      row,
      [...reasons!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(([, reason]) => unescape(reason!.trim())),
    ]),
  );
}

function unescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function hiddenField(text: string, name: string): string {
  return unescape(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(text)![1]!);
}

function readCsv(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { bom: true, columns: true });
}

/** An interaction as the export writes it, from the JSON API's. */
function asCsvRow(interaction: InteractionJson & { private?: boolean }, accountName: string) {
  return {
    interaction_id: interaction.id,
    account_id: interaction.accountId,
    account_name: accountName,
    date: interaction.date,
    start_time: interaction.startTime,
    duration_minutes: String(interaction.durationMinutes),
    title: interaction.title,
    private: String(interaction.private),
    matched_by: interaction.matchedBy,
    participants: interaction.participants
      .map((p) => `${p.name === null ? p.email : `${p.name} <${p.email}>`} (${p.minutesInMeeting} min)`)
      .join('; '),
  };
}

describe.each(databaseTargets())('admin CSV import and export on $name', (target) => {
  let e: E2E;
  const admin = 'boss@ourco.com';
  const member = 'rep@ourco.com';

  beforeAll(async () => {
    e = await startE2E(target, { env: { ADMIN_EMAILS: admin } });
    e.sandbox.addUser({ email: admin });
    e.sandbox.addUser({ email: member });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.com'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([
        { email: 'tess@logo.com', name: 'Tess', accountId: 'logo' },
        { email: 'sam@logo.com', name: 'Sam', accountId: 'acme' },
      ])
      .expect(200);
  });

  async function signInAdmin(): Promise<{ agent: Agent; csrf: string }> {
    const { agent } = await e.signIn(admin);
    const page = await agent.get('/admin/import').expect(200);
    return { agent, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! };
  }

  function post(agent: Agent, path: string, fields: Record<string, string>, file?: string) {
    let req = agent.post(path).set('Origin', ORIGIN);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    if (file !== undefined) req = req.attach('file', Buffer.from(file), 'upload.csv');
    return req;
  }

  async function accounts() {
    const res = await request(e.t.app).get('/api/accounts?limit=1000').set(auth).expect(200);
    return (res.body as { accounts: { id: string; name: string; domains: string[] }[] }).accounts;
  }

  async function contacts() {
    const rows = await e.t.db.dataSource.query<{ email: string; name: string | null; account_id: string }[]>(
      'SELECT email, name, account_id FROM contacts ORDER BY email',
    );
    return rows.map((row) => ({ ...row }));
  }

  it('shows the import page with both forms, labelled, and the export form', async () => {
    const { agent } = await signInAdmin();
    const page = await agent.get('/admin/import').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    for (const kind of ['accounts', 'contacts']) {
      expect(page.text).toContain(`action="/admin/import/${kind}/preview"`);
      expect(page.text).toContain(`<label for="${kind}-file">`);
      expect(page.text).toContain(`<label for="${kind}-csv">`);
      expect(page.text).toContain(`id="${kind}-file" name="file" type="file"`);
    }
    expect(page.text).toContain('enctype="multipart/form-data"');
    expect(page.text).toContain('<code>id,name,domains</code>');
    expect(page.text).toContain('<code>email,name,accountId</code>');
    expect(page.text).toContain('action="/admin/interactions.csv"');
  });

  it('previews accounts: created, updated, unchanged and rejected rows with their reasons, writing nothing', async () => {
    const { agent, csrf } = await signInAdmin();
    const csv = [
      'Name,id,DOMAINS', // any order, any case
      'Logo Inc,logo,logo.com',
      '"Acme, Ltd",acme,"acme.com; acme.io"',
      '"New',
      'Co",newco,newco.com',
      '',
      'Globex,globex,globex.com globex.io',
      'Globex again,globex,globex.net',
      'Bad,bad,not_a_domain',
      ',noname,x.com',
      'short,row',
    ].join('\r\n');
    const before = await accounts();
    const res = await post(agent, '/admin/import/accounts/preview', { csrf, csv }).expect(200);

    expect(countsOf(res.text)).toEqual({ created: 1, updated: 1, unchanged: 1, rejected: 5 });
    // The quoted name with a line break is one row (4); the blank row 5 is skipped but counted.
    expect(Object.fromEntries(rejectedOf(res.text))).toEqual({
      4: ['name: must not contain control characters'],
      7: ['duplicate id "globex" (also at row 6)'],
      8: ['domains: "not_a_domain" is not a domain'],
      9: ['name: must not be empty'],
      10: ['has 2 cells where the header has 3'],
    });
    expect([...tableRows(res.text, 'to-create')]).toEqual([
      [6, ['globex', 'Globex', 'globex.com globex.io']],
    ]);
    expect([...tableRows(res.text, 'to-update')]).toEqual([
      [3, ['acme', 'Acme', 'Acme, Ltd', 'acme.com', 'acme.com acme.io']],
    ]);
    expect(res.text).toContain('role="alert"');
    expect(res.text).not.toContain('action="/admin/import/accounts/apply"');
    expect(await accounts()).toEqual(before);
  });

  it('previews contacts: unknown accounts, duplicates and bad emails are rejected; a missing name keeps it', async () => {
    const { agent, csrf } = await signInAdmin();
    const csv = [
      'email,accountId,name',
      'tess@logo.com,logo,Tess',
      'Sam@Logo.com,logo,Sam',
      'zed@gmail.com,logo,"Zed, ""the"" customer"',
      'omar@acme.com,nope,Omar',
      'not-an-email,logo,X',
      'TESS@logo.com,acme,Tess',
    ].join('\n');
    const res = await post(agent, '/admin/import/contacts/preview', { csrf }, csv).expect(200);
    expect(countsOf(res.text)).toEqual({ created: 1, updated: 1, unchanged: 1, rejected: 3 });
    expect(Object.fromEntries(rejectedOf(res.text))).toEqual({
      5: ['unknown accountId "nope"'],
      6: ['email: "not-an-email" is not an email address'],
      7: ['duplicate email "tess@logo.com" (also at row 2)'],
    });
    expect([...tableRows(res.text, 'to-create')]).toEqual([
      [4, ['zed@gmail.com', 'Zed, &quot;the&quot; customer', 'logo']],
    ]);
    expect([...tableRows(res.text, 'to-update')]).toEqual([
      [3, ['sam@logo.com', 'Sam', 'Sam', 'acme', 'logo']],
    ]);

    // Without the name column, stored names stay: moving Sam back is the only change.
    const kept = await post(agent, '/admin/import/contacts/preview', {
      csrf,
      csv: 'accountId,email\nlogo,tess@logo.com\nlogo,sam@logo.com\n',
    }).expect(200);
    expect(countsOf(kept.text)).toEqual({ created: 0, updated: 1, unchanged: 1, rejected: 0 });
    expect([...tableRows(kept.text, 'to-update')]).toEqual([
      [3, ['sam@logo.com', 'Sam', 'Sam', 'acme', 'logo']],
    ]);
  });

  it('lists the first 200 rows of each kind, and counts them all', async () => {
    const { agent, csrf } = await signInAdmin();
    const rows = Array.from({ length: 250 }, (_, i) => `new${i},New ${i},`);
    const res = await post(agent, '/admin/import/accounts/preview', {
      csrf,
      csv: ['id,name,domains', ...rows].join('\n'),
    }).expect(200);
    expect(countsOf(res.text)).toEqual({ created: 250, updated: 0, unchanged: 0, rejected: 0 });
    expect(res.text).toContain('The first 200 of 250:');
    expect([...tableRows(res.text, 'to-create').keys()]).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 2),
    );
    expect(res.text).toContain('Apply 250 changes');
  });

  it('refuses files it cannot read as a whole: missing or unknown columns, bad quoting, too many rows', async () => {
    const { agent, csrf } = await signInAdmin();
    const refused = async (kind: string, csv: string) => {
      const res = await post(agent, `/admin/import/${kind}/preview`, { csrf, csv }).expect(400);
      expect(res.text).toContain('role="alert"');
      return unescape(res.text);
    };
    expect(await refused('accounts', 'id,name\nlogo,Logo')).toContain(
      'Missing column "domains": the columns are id, name, domains',
    );
    expect(await refused('contacts', 'email,accountId,phone\na@logo.com,logo,1')).toContain(
      'Unknown column "phone": the columns are email, name, accountId',
    );
    expect(await refused('accounts', 'id,id,name,domains\n')).toContain('The column "id" is named 2 times');
    expect(await refused('accounts', 'id,name,domains\nlogo,"Logo,logo.com\n')).toContain(
      'The file is not valid CSV',
    );
    const rows = Array.from({ length: 10_001 }, (_, i) => `a${i},A,`).join('\n');
    expect(await refused('accounts', `id,name,domains\n${rows}`)).toContain('At most 10000 rows per upload');
    expect(await refused('accounts', '')).toContain('Choose a CSV file or paste the CSV.');
    const both = await post(agent, '/admin/import/accounts/preview', { csrf, csv: 'id' }, 'id').expect(400);
    expect(both.text).toContain('not both');
    // The form comes back with the text to fix.
    expect(await refused('accounts', 'id,name\nlogo,Logo')).toContain('>id,name\nlogo,Logo</textarea>');
  });

  it('applies exactly the previewed rows in one go, from the form the preview carries', async () => {
    const { agent, csrf } = await signInAdmin();
    const csv = [
      'id,name,domains',
      'logo,Logo Inc,logo.com',
      'acme,"Acme & ""Sons""",acme.com;acme.io',
      'globex,Globex,globex.com',
    ].join('\r\n');
    const preview = await post(agent, '/admin/import/accounts/preview', { csrf }, csv).expect(200);
    expect(countsOf(preview.text)).toEqual({ created: 1, updated: 1, unchanged: 1, rejected: 0 });
    expect(preview.text).toContain('Apply 2 changes');
    const applyForm = preview.text.slice(preview.text.indexOf('/apply'));
    const resent = hiddenField(applyForm, 'csv');
    // Line breaks come back as LF, whatever the file had (a browser would send the form's text with CRLF).
    expect(resent).toBe(csv.replaceAll('\r\n', '\n'));

    // The stored data changes between the preview and Apply: nothing is written, the new preview is shown.
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'globex', name: 'Globex', domains: ['globex.com'] }])
      .expect(200);
    const stale = await post(agent, '/admin/import/accounts/apply', {
      csrf: hiddenField(applyForm, 'csrf'),
      csv: resent,
      digest: hiddenField(applyForm, 'digest'),
    }).expect(409);
    expect(stale.text).toContain('The stored data changed since the preview');
    expect(countsOf(stale.text)).toEqual({ created: 0, updated: 1, unchanged: 2, rejected: 0 });
    expect((await accounts()).find((account) => account.id === 'acme')?.name).not.toBe('Acme & "Sons"');
    await request(e.t.app).delete('/api/accounts/globex').set(auth).expect(204);

    const applied = await post(agent, '/admin/import/accounts/apply', {
      csrf: hiddenField(applyForm, 'csrf'),
      csv: resent,
      digest: hiddenField(applyForm, 'digest'),
    }).expect(200);
    expect(applied.text).toMatch(/role="status"[^>]*>\s*<span data-count="created">1<\/span> to create/);
    expect(countsOf(applied.text)).toEqual({ created: 1, updated: 1, unchanged: 1, rejected: 0 });
    expect(await accounts()).toEqual([
      { id: 'acme', name: 'Acme & "Sons"', domains: ['acme.com', 'acme.io'] },
      { id: 'globex', name: 'Globex', domains: ['globex.com'] },
      { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
    ]);
    const again = await post(agent, '/admin/import/accounts/preview', { csrf, csv }).expect(200);
    expect(countsOf(again.text)).toEqual({ created: 0, updated: 0, unchanged: 3, rejected: 0 });
    expect(again.text).toContain('Nothing to change');
  });

  it('matches stored meetings again when contacts are applied: an interaction appears', async () => {
    e.sandbox.insertEvent(member, {
      summary: 'Coffee with Zed',
      start: { dateTime: at(-2, 9) },
      end: { dateTime: at(-2, 9, 30) },
      attendees: [{ email: member }, { email: 'zed@gmail.com' }],
    });
    const rep = await e.signIn(member);
    await e.sync(rep.memberId);
    expect(await e.interactions('logo')).toEqual([]);

    const { agent, csrf } = await signInAdmin();
    const csv = 'email,name,accountId\nzed@gmail.com,Zed,logo\nsam@logo.com,Sam,logo';
    const preview = await post(agent, '/admin/import/contacts/preview', { csrf, csv }).expect(200);
    const applied = await post(agent, '/admin/import/contacts/apply', {
      csrf,
      csv,
      digest: hiddenField(preview.text.slice(preview.text.indexOf('/apply')), 'digest'),
    }).expect(200);
    expect(countsOf(applied.text)).toEqual({ created: 1, updated: 1, unchanged: 0, rejected: 0 });
    const [interaction] = await e.interactions('logo');
    expect(interaction!.title).toBe('Coffee with Zed');
    expect(interaction!.matchedBy).toBe('contact');
    expect(interaction!.participants.map((p) => [p.email, p.accountId])).toContainEqual([
      'zed@gmail.com',
      'logo',
    ]);
    expect(await contacts()).toEqual([
      { email: 'sam@logo.com', name: 'Sam', account_id: 'logo' },
      { email: 'tess@logo.com', name: 'Tess', account_id: 'logo' },
      { email: 'zed@gmail.com', name: 'Zed', account_id: 'logo' },
    ]);
  });

  it('applies nothing when a row is rejected, and shows the preview again with 400', async () => {
    const { agent, csrf } = await signInAdmin();
    const before = { accounts: await accounts(), contacts: await contacts() };
    const refusedAccounts = await post(agent, '/admin/import/accounts/apply', {
      csrf,
      csv: 'id,name,domains\nglobex,Globex,globex.com\nlogo,Logo renamed,logo.com\nbad,Bad,nope',
    }).expect(400);
    expect(countsOf(refusedAccounts.text)).toEqual({ created: 1, updated: 1, unchanged: 0, rejected: 1 });
    expect(rejectedOf(refusedAccounts.text).get(4)).toEqual(['domains: "nope" is not a domain']);
    const refusedContacts = await post(agent, '/admin/import/contacts/apply', {
      csrf,
      csv: 'email,accountId\nnew@logo.com,logo\nsam@logo.com,logo\nother@acme.com,gone',
    }).expect(400);
    expect(rejectedOf(refusedContacts.text).get(4)).toEqual(['unknown accountId "gone"']);
    expect({ accounts: await accounts(), contacts: await contacts() }).toEqual(before);
  });

  it('refuses a form without its anti-CSRF token, and uploads over 2 MB, changing nothing', async () => {
    const { agent, csrf } = await signInAdmin();
    const before = await accounts();
    const csv = 'id,name,domains\nglobex,Globex,globex.com';
    await post(agent, '/admin/import/accounts/apply', { csv }).expect(403);
    await post(agent, '/admin/import/accounts/apply', { csrf: 'forged', csv }).expect(403);
    await post(agent, '/admin/import/accounts/preview', {}, csv).expect(403);

    const big = (bytes: number) => {
      const rows = ['id,name,domains'];
      for (let size = 0, i = 0; size <= bytes; i++) {
        rows.push(`id${i},${'x'.repeat(900)},`);
        size += rows[rows.length - 1]!.length + 1;
      }
      return rows.join('\n');
    };
    // Just over the limit: read, then refused; far over it: refused while it is read.
    const over = await post(agent, '/admin/import/accounts/apply', {
      csrf,
      csv: big(2 * 1024 * 1024 + 2_000),
    }).expect(413);
    expect(over.text).toContain('larger than 2 MB');
    const far = await post(agent, '/admin/import/accounts/apply', { csrf }, big(3 * 1024 * 1024)).expect(413);
    expect(far.headers['content-type']).toMatch(/html/);
    expect(far.text).toContain('larger than 2 MB');
    expect(await accounts()).toEqual(before);
  });

  it('is for admins only', async () => {
    const { agent } = await e.signIn(member);
    await agent.get('/admin/import').expect(403);
    await agent
      .post('/admin/import/accounts/apply')
      .field('csv', 'id,name,domains\nglobex,Globex,globex.com')
      .expect(403);
    await agent.get('/admin/interactions.csv').expect(403);
    await agent.get('/admin/accounts/logo/interactions.csv').expect(403);
    await request(e.t.app).get('/admin/import').expect(302).expect('Location', '/profile');
    expect((await accounts()).map((account) => account.id)).toEqual(['acme', 'logo']);
  });

  describe('export', () => {
    // The sandbox outlives each test's data: its calendar gets the events once, each test syncs them anew.
    beforeAll(() => {
      const events = [
        { summary: 'Kickoff', days: -10, hour: 9, attendees: ['tess@logo.com'] },
        {
          summary: '=HYPERLINK("http://evil.example")',
          days: -5,
          hour: 9,
          attendees: ['tess@logo.com', 'omar@acme.com'],
        },
        { summary: 'Sync, part "2"\nagenda', days: -5, hour: 14, attendees: ['omar@acme.com'] },
        { summary: 'Recent', days: -1, hour: 9, attendees: ['tess@logo.com'] },
      ];
      for (const event of events) {
        e.sandbox.insertEvent(member, {
          summary: event.summary,
          start: { dateTime: at(event.days, event.hour) },
          end: { dateTime: at(event.days, event.hour, 45) },
          attendees: [
            { email: member },
            ...event.attendees.map((email) => ({
              email,
              displayName: email === 'omar@acme.com' ? '-Omar' : 'Tess',
            })),
          ],
        });
      }
    });
    beforeEach(async () => {
      await request(e.t.app)
        .put('/api/accounts')
        .set(auth)
        .send([{ id: 'acme', name: '+Acme', domains: ['acme.com'] }])
        .expect(200);
      const rep = await e.signIn(member);
      await e.sync(rep.memberId);
    });

    it("exports one account's interactions within the days, as the JSON API lists them, newest first", async () => {
      const { agent } = await signInAdmin();
      const [from, to] = [day(-7), day(-3)];
      const res = await agent.get(`/admin/accounts/logo/interactions.csv?from=${from}&to=${to}`).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename=interactions-logo-from-${from}-to-${to}.csv`,
      );
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text.startsWith('\ufeffinteraction_id,account_id,account_name,date,start_time,')).toBe(true);
      expect(res.text).toContain('\r\n');

      const api = await e.interactions('logo', `?from=${from}&to=${to}`);
      expect(api.map((i) => i.title)).toEqual(['=HYPERLINK("http://evil.example")']);
      const rows = readCsv(res.text);
      expect(rows).toEqual(
        api.map((i) => ({ ...asCsvRow(i, 'Logo Inc'), title: `'=HYPERLINK("http://evil.example")` })),
      );

      const all = readCsv((await agent.get('/admin/accounts/logo/interactions.csv').expect(200)).text);
      expect(all.map((row) => row.interaction_id)).toEqual((await e.interactions('logo')).map((i) => i.id));
      expect(all).toHaveLength(3);
    });

    it("exports every account's interactions within the days, by account then oldest first", async () => {
      const { agent } = await signInAdmin();
      const [from, to] = [day(-7), day(-3)];
      const res = await agent.get(`/admin/interactions.csv?from=${from}&to=${to}`).expect(200);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename=interactions-all-from-${from}-to-${to}.csv`,
      );
      const acme = (await e.interactions('acme', `?from=${from}&to=${to}`)).reverse();
      const logo = (await e.interactions('logo', `?from=${from}&to=${to}`)).reverse();
      expect(acme).toHaveLength(2);
      const defused = (row: ReturnType<typeof asCsvRow>) => ({
        ...row,
        title: row.title.startsWith('=') ? `'${row.title}` : row.title,
        account_name: row.account_name.startsWith('+') ? `'${row.account_name}` : row.account_name,
      });
      expect(readCsv(res.text)).toEqual(
        [...acme.map((i) => asCsvRow(i, '+Acme')), ...logo.map((i) => asCsvRow(i, 'Logo Inc'))].map(defused),
      );
      // Quoting keeps commas, quotes and line breaks inside their cell; formulas are defused.
      expect(res.text).toContain(`"Sync, part ""2""\nagenda"`);
      expect(res.text).toContain(`,'+Acme,`);
      expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
      expect(res.text).toContain('-Omar <omar@acme.com> (45 min)');

      const everything = readCsv((await agent.get('/admin/interactions.csv?from=&to=').expect(200)).text);
      expect(everything).toHaveLength(5);
    });

    it('reads every account a page at a time without skipping or repeating', async () => {
      const list = e.t.container.get(ListInteractionsByDate);
      const seen: string[] = [];
      let after: AccountTimelineCursor | null = null;
      do {
        const page: Awaited<ReturnType<ListInteractionsByDate['execute']>> = await list.execute({
          fromDate: null,
          toDate: null,
          limit: 2,
          after,
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => `${i.accountId} ${i.startTime}`));
        after = page.next;
      } while (after !== null);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    });

    it('ends an export where it is when the account is deleted between two of its pages', async () => {
      const { agent } = await signInAdmin();
      const real = ListInteractions.prototype.execute;
      const spy = jest
        .spyOn(ListInteractions.prototype, 'execute')
        // A first page that says more follow, as a long export's would; the account goes before the second.
        .mockImplementationOnce(async function (this: ListInteractions, filter) {
          const page = await real.call(this, filter);
          return {
            ...page,
            next: { startTime: '2000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' },
          };
        })
        .mockImplementationOnce(async function (this: ListInteractions, filter) {
          await request(e.t.app).delete('/api/accounts/logo').set(auth).expect(204);
          return real.call(this, filter);
        });
      try {
        const res = await agent.get('/admin/accounts/logo/interactions.csv').expect(200);
        expect(readCsv(res.text)).toHaveLength(3);
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        spy.mockRestore();
      }
    });

    it('answers bad days with 400 and an unknown account with 404, as pages', async () => {
      const { agent } = await signInAdmin();
      for (const query of [
        'from=2026-02-31',
        'to=yesterday',
        `from=${day(-1)}&to=${day(-3)}`,
        'from=2026-01-01T00:00Z',
      ]) {
        const res = await agent.get(`/admin/interactions.csv?${query}`).expect(400);
        expect(res.headers['content-type']).toMatch(/html/);
        expect(res.text).toContain('role="alert"');
      }
      await agent.get('/admin/accounts/logo/interactions.csv?from=2026-13-01').expect(400);
      const unknown = await agent.get('/admin/accounts/nope/interactions.csv').expect(404);
      expect(unknown.text).toContain('No account');
    });
  });
});
