import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

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
    const page = await browser.newPage();
    await connect(page, member);
    await expect(page.locator('.status').textContent()).resolves.toBe('Connected');
    expect(await page.textContent('main')).toContain(member);
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
    const page = await browser.newPage();
    await connect(page, admin);
    await e.sync(await memberId(admin));

    await page.goto(`${e.serviceUrl}/admin`);
    await expect(page.locator(`tr:has-text("${admin}") .status`).textContent()).resolves.toBe('Connected');
    await shot(page, 'admin-connections');

    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Logo Inc' }).click();
    await eventually(async () => (await page.textContent('main'))?.includes('Logo QBR'));
    expect(await page.textContent('main')).toContain('Tess Ter');
    expect(await page.textContent('main')).toContain('30 min');
    await shot(page, 'admin-account-timeline');

    await page.getByRole('link', { name: 'Unmatched meetings' }).click();
    expect(await page.textContent('main')).toContain('Several accounts share the domain: globex, initech');
    await shot(page, 'admin-unmatched');

    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel(/URL/).fill('https://crm.example/hooks');
    await page.getByLabel(/Description/).fill('CRM');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByLabel('Signing secret').inputValue()).resolves.toMatch(/^whsec_/);
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    await expect(page.locator('tr:has-text("crm.example") .status').textContent()).resolves.toBe('Active');
    await shot(page, 'admin-webhooks');

    await page.goto(`${e.serviceUrl}/admin`);
    await page.locator(`tr:has-text("${admin}")`).getByRole('button', { name: 'Resync' }).click();
    await expect(page.locator('.notice').textContent()).resolves.toBe('Full resync queued.');
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
