import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type AxeCore from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import request from 'supertest';

import { auth } from '../support/app';
import { embeddedTarget } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';

/** Debian's Chromium (installed by .ci/run); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
/** Set to a folder to keep screenshots of the pages (the README's come from here). */
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core run inside the page as it is shown (WCAG 2.x A and AA rules and axe's best practices): the serious and
 * critical violations, each with the elements it found, so a failure says where to look.
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: typeof AxeCore }).axe;
    const result = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      targets: v.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${page.url()}: ${v.id} (${v.impact}) at ${v.targets.slice(0, 3).join(', ')}`);
}

/** The account ids of the accounts table's rows, in order. */
async function listedAccounts(page: Page): Promise<(string | null)[]> {
  return Promise.all((await page.locator('tbody tr').all()).map((row) => row.getAttribute('data-account')));
}

if (!available) {
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
  );
}

/** The member and admin journeys in a real Chromium, against the service and its Google sandbox. */
(available ? describe : describe.skip)('in the browser', () => {
  let e: E2E;
  let browser: Browser;
  const admin = 'alex@ourco.example';
  const member = 'sam@ourco.example';

  beforeAll(async () => {
    e = await startE2E(embeddedTarget, { listen: true, env: { ADMIN_EMAILS: admin } });
    e.sandbox.addUser({ email: admin, name: 'Alex Morgan' });
    e.sandbox.addUser({ email: member, name: 'Sam Lee' });
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
        { id: 'globex', name: 'Globex', domains: ['holdings.example'] },
        { id: 'initech', name: 'Initech', domains: ['holdings.example'] },
      ]);
    e.sandbox.insertEvent(admin, {
      summary: 'Logo QBR',
      start: { dateTime: at(-2, 15) },
      end: { dateTime: at(-2, 15, 30) },
      attendees: [{ email: admin }, { email: 'tess@logo.com', displayName: 'Tess Ter' }],
    });
    e.sandbox.insertEvent(admin, {
      summary: 'Holdings intro',
      start: { dateTime: at(-1, 14) },
      end: { dateTime: at(-1, 14, 30) },
      attendees: [{ email: admin }, { email: 'cfo@holdings.example' }],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await e?.stop();
  });

  async function shot(page: Page, name: string) {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** From My Profile through the sandbox's consent page (choosing `email`) back to My Profile. */
  async function connect(page: Page, email: string) {
    await page.goto(`${e.serviceUrl}/profile`);
    await page.getByRole('link', { name: /Connect Google Calendar/ }).click();
    await page.getByRole('button', { name: new RegExp(email) }).click();
    await page.waitForURL(`${e.serviceUrl}/profile`);
  }

  const memberId = async (email: string) =>
    (await e.t.db.dataSource.query<{ id: string }[]>('SELECT id FROM members WHERE email = $1', [email]))[0]!
      .id;

  it('a member connects, sees the status, disconnects and reconnects', async () => {
    const page = await browser.newPage({ bypassCSP: true });
    await connect(page, member);
    await expect(page.locator('.status').textContent()).resolves.toBe('Connected');
    expect(await page.textContent('main')).toContain(member);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'profile-connected');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(`${e.serviceUrl}/profile`);
    await expect(page.locator('.status').textContent()).resolves.toBe('Disconnected');

    await page.getByRole('link', { name: /Connect Google Calendar/ }).click();
    await page.getByRole('button', { name: new RegExp(member) }).click();
    await page.waitForURL(`${e.serviceUrl}/profile`);
    await expect(page.locator('.status').textContent()).resolves.toBe('Connected');
    await page.close();
  });

  it('an admin sees the connection, an account timeline and the unmatched list', async () => {
    const page = await browser.newPage({ bypassCSP: true });
    await connect(page, admin);
    await e.sync(await memberId(admin));

    await page.goto(`${e.serviceUrl}/admin`);
    await expect(page.locator(`tr:has-text("${admin}") .status`).textContent()).resolves.toBe('Connected');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-connections');

    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Logo Inc' }).click();
    await eventually(async () => (await page.textContent('main'))?.includes('Logo QBR'));
    expect(await page.textContent('main')).toContain('Tess Ter');
    expect(await page.textContent('main')).toContain('30 min');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-account-timeline');

    await page.getByRole('link', { name: 'Unmatched meetings' }).click();
    expect(await page.textContent('main')).toContain('Several accounts share the domain: globex, initech');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-unmatched');

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel(/URL/).fill('https://crm.example/hooks');
    await page.getByLabel(/Description/).fill('CRM');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByLabel('Signing secret').inputValue()).resolves.toMatch(/^whsec_/);
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    await expect(page.locator('tr:has-text("crm.example") .status').textContent()).resolves.toBe('Active');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-webhooks');

    await page.goto(`${e.serviceUrl}/admin`);
    await page.locator(`tr:has-text("${admin}")`).getByRole('button', { name: 'Resync' }).click();
    await expect(page.locator('.notice').textContent()).resolves.toBe('Full resync queued.');
    await page.close();
  });

  it("an admin reads accounts at a glance: sorted, filtered, and one account's cadence", async () => {
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'umbrella', name: 'Umbrella Corp', domains: ['umbrella.example'] },
        { id: 'hooli', name: 'Hooli', domains: ['hooli.example'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([
        { email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' },
        { email: 'lee@logo.com', name: 'Lee Park', accountId: 'logo' },
      ])
      .expect(200);
    for (const weeksAgo of [1, 2, 3, 5, 6, 8, 11, 14, 20]) {
      e.sandbox.insertEvent(admin, {
        summary: 'Logo weekly sync',
        start: { dateTime: at(-7 * weeksAgo, 16) },
        end: { dateTime: at(-7 * weeksAgo, 16, 30) },
        attendees: [{ email: admin }, { email: 'tess@logo.com', displayName: 'Tess Ter' }],
      });
    }
    e.sandbox.insertEvent(admin, {
      summary: 'Logo planning',
      // In a later week than this one: the chart draws it apart, as scheduled.
      start: { dateTime: at(10, 10) },
      end: { dateTime: at(10, 11) },
      attendees: [{ email: admin }, { email: 'tess@logo.com' }, { email: 'lee@logo.com' }],
    });
    e.sandbox.insertEvent(admin, {
      summary: 'Umbrella renewal',
      start: { dateTime: at(-70, 15) },
      end: { dateTime: at(-70, 15, 45) },
      attendees: [{ email: admin }, { email: 'ron@umbrella.example' }],
    });
    const page = await browser.newPage({ bypassCSP: true });
    await connect(page, admin);
    await e.sync(await memberId(admin));

    await page.goto(`${e.serviceUrl}/admin/accounts`);
    const logo = page.locator('tr[data-account="logo"]');
    await expect(logo.locator('td').nth(2).textContent()).resolves.toContain('Logo planning');
    await expect(page.locator('tr[data-account="hooli"]').textContent()).resolves.toContain('Never');
    await expect(logo.getByRole('img').getAttribute('aria-label')).resolves.toMatch(
      /^Meetings per week over the last 12 weeks, oldest first: (\d+, ){11}\d+$/,
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-accounts');

    // Sorting by a column: its header says so to assistive technology, and the busiest account comes first.
    await page.getByRole('link', { name: '90 days' }).click();
    await expect(page.locator('th[aria-sort="descending"]').textContent()).resolves.toContain('90 days');
    await expect(page.locator('tbody tr').first().getAttribute('data-account')).resolves.toBe('logo');

    // Filters, from the keyboard: "not met in 60 days" keeps Umbrella (70 days) and the never-met accounts.
    await page.getByLabel('Last met').selectOption('60');
    await page.getByLabel('Name, id or domain').fill('umbrella');
    await page.getByLabel('Name, id or domain').press('Enter');
    await page.waitForURL(/met=60/);
    await expect(listedAccounts(page)).resolves.toEqual(['umbrella']);
    await page.getByLabel('Last met').selectOption('never');
    await page.getByLabel('Name, id or domain').fill('');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/met=never/);
    const neverMet = await listedAccounts(page);
    expect(neverMet).toContain('hooli');
    expect(neverMet).not.toContain('logo');
    expect(neverMet).not.toContain('umbrella');

    await page.goto(`${e.serviceUrl}/admin/accounts`);
    await page.getByRole('link', { name: 'Logo Inc' }).click();
    const chart = page.getByRole('img', { name: 'Meetings per week' });
    await expect(chart.count()).resolves.toBe(1);
    await expect(
      page.locator('svg.cadence rect.bar:not(.scheduled)').count(),
    ).resolves.toBeGreaterThanOrEqual(7);
    await expect(page.locator('svg.cadence rect.bar.scheduled').count()).resolves.toBe(1);
    const contacts = page.locator('table', { has: page.getByRole('columnheader', { name: 'Last met' }) });
    await expect(contacts.locator('tbody tr').first().textContent()).resolves.toContain('Tess Ter');
    await expect(contacts.locator('tr:has-text("Lee Park")').textContent()).resolves.toContain('Never');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-account-cadence');
    await page.close();
  });

  it('an admin previews a CSV of accounts, fixes the rejected row, and applies it', async () => {
    const page = await browser.newPage({ bypassCSP: true });
    await connect(page, admin);
    await page.goto(`${e.serviceUrl}/admin`);
    await page.getByRole('link', { name: 'Import and export CSV' }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-import');

    await page
      .getByLabel('or paste the accounts CSV')
      .fill(
        'id,name,domains\nlogo,Logo Inc,logo.com\nstark,Stark Industries,stark.example\nwayne,,wayne.example\n',
      );
    await page.getByRole('button', { name: 'Preview accounts' }).click();
    await expect(page.locator('[data-count="rejected"]').textContent()).resolves.toBe('1');
    await expect(page.getByRole('table', { name: 'Rejected rows' }).textContent()).resolves.toContain('4');
    await expect(page.getByRole('button', { name: /^Apply/ }).count()).resolves.toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-import-rejected');

    await page
      .getByLabel('or paste the accounts CSV')
      .fill(
        'id,name,domains\nlogo,Logo Inc,logo.com\nstark,Stark Industries,stark.example\n"wayne","Wayne, Enterprises","wayne.example; wayne.test"\n',
      );
    await page.getByRole('button', { name: 'Preview accounts' }).click();
    await expect(page.locator('[data-count="created"]').textContent()).resolves.toBe('2');
    await expect(page.locator('[data-count="unchanged"]').textContent()).resolves.toBe('1');
    await expect(page.getByRole('table', { name: 'To create' }).textContent()).resolves.toContain(
      'Wayne, Enterprises',
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'admin-import-preview');
    // Nothing is written by a preview.
    await request(e.t.app).get('/api/accounts/stark').set(auth).expect(404);

    await page.getByRole('button', { name: 'Apply 2 changes' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('2 to create');
    const wayne = await request(e.t.app).get('/api/accounts/wayne').set(auth).expect(200);
    expect(wayne.body).toEqual({
      id: 'wayne',
      name: 'Wayne, Enterprises',
      domains: ['wayne.example', 'wayne.test'],
      contactCount: 0,
    });
    await page.close();
  });

  it('a member who is not an admin gets 403', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await connect(page, member);
    const response = await page.goto(`${e.serviceUrl}/admin`);
    expect(response?.status()).toBe(403);
    await context.close();
  });
});
