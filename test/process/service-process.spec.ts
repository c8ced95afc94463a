import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { GoogleSandbox } from '../../sandbox/google-sandbox';
import { eventually, LOOPBACK } from '../support/e2e';
import { startWebhookReceiver } from '../support/webhook-receiver';
import {
  initialisedDataDir,
  killServices,
  removeDataDirTemplate,
  signInOverHttp,
  spawnService,
  stderrMatch,
} from '../support/service-process';

const FIRST_START_TEST =
  'starts on embedded PGlite in a new DATA_DIR, prints a working admin key, stops on SIGTERM and keeps the data';
const FIRST_START = `service process ${FIRST_START_TEST}`;

/** The service as an operator runs it: a process with an environment, signals and a data directory. */
describe('service process', () => {
  let dataDir: string;
  beforeEach(async () => {
    // A newcomer's first start (initdb included) is the first test's; the others start from a created database.
    dataDir =
      expect.getState().currentTestName === FIRST_START
        ? mkdtempSync(path.join(tmpdir(), 'service-'))
        : await initialisedDataDir();
  });
  afterEach(() => {
    killServices();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterAll(removeDataDirTemplate);

  const KEY = /Authorization: Bearer (\S+?)"/;

  it(FIRST_START_TEST, async () => {
    const first = spawnService({ DATA_DIR: dataDir });
    const port = await first.listening;
    const [, key] = await stderrMatch(first, KEY);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const put = await fetch(`${base}/api/accounts`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ id: 'testco', name: 'TestCo', domains: ['testco.com'] }]),
    });
    expect(put.status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('"msg":"stopped"');

    const second = spawnService({ DATA_DIR: dataDir });
    const port2 = await second.listening;
    expect((await stderrMatch(second, KEY))[1]).toBe(key);
    const got = await fetch(`http://127.0.0.1:${port2}/api/accounts/testco`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(await got.json()).toEqual({
      id: 'testco',
      name: 'TestCo',
      domains: ['testco.com'],
      contactCount: 0,
    });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses a second instance on the same DATA_DIR, and takes over after a crash', async () => {
    const first = spawnService({ DATA_DIR: dataDir });
    await first.listening;
    const intruder = spawnService({ DATA_DIR: dataDir });
    expect(await intruder.exited).toBe(1);
    expect(intruder.stderr()).toMatch(/DATA_DIR .* is in use by process \d+/);

    first.child.kill('SIGKILL');
    await first.exited;
    const after = spawnService({ DATA_DIR: dataDir });
    const port = await after.listening;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    after.child.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  });

  it('offline: a newcomer signs in on the sandbox consent page and sees interactions appear', async () => {
    const service = spawnService({ DATA_DIR: dataDir });
    const port = await service.listening;
    const base = `http://127.0.0.1:${port}`;
    const [, key] = await stderrMatch(service, KEY);
    expect(service.stdout()).toContain('using the built-in Google sandbox');

    const start = await fetch(`${base}/auth/google`, { redirect: 'manual' });
    const stateCookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const consentUrl = new URL(start.headers.get('location')!);
    expect(consentUrl.pathname).toBe('/sandbox/google/o/oauth2/v2/auth');
    // PUBLIC_URL is localhost; fetch the page on the loopback address it resolves to.
    const consentPage = await (await fetch(`${base}${consentUrl.pathname}${consentUrl.search}`)).text();
    expect(consentPage).toContain('alex@ourco.example');
    const fields = new URLSearchParams(
      [...consentPage.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
        (m): [string, string] => [
          m[1]!,
          m[2]!
            .replace(/&amp;/g, '&')
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'"),
        ],
      ),
    );
    fields.set('email', 'alex@ourco.example');
    const approved = await fetch(`${base}/sandbox/google/o/oauth2/v2/auth/approve`, {
      method: 'POST',
      body: fields,
      redirect: 'manual',
    });
    const callback = new URL(approved.headers.get('location')!);
    const signedIn = await fetch(`${base}${callback.pathname}${callback.search}`, {
      headers: { Cookie: stateCookie },
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(302);
    const session = signedIn.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith('sid='))!
      .split(';')[0]!;
    expect(await (await fetch(`${base}/profile`, { headers: { Cookie: session } })).text()).toContain(
      'alex@ourco.example',
    );

    const deadline = Date.now() + 15_000;
    let titles: string[] = [];
    while (!titles.includes('Logo QBR') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await fetch(`${base}/api/accounts/logo/interactions`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      titles = ((await res.json()) as { interactions: { title: string }[] }).interactions.map((i) => i.title);
    }
    expect(titles).toContain('Logo QBR');

    // The admin enrols the rest of the team through the sandbox's service account: Jo never signs in.
    const enrolled = await fetch(`${base}/api/members`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ domain: 'ourco.example' }),
    });
    expect(enrolled.status).toBe(200);
    expect(
      ((await enrolled.json()) as { enrolled: { email: string }[] }).enrolled.map((m) => m.email),
    ).toEqual(['alex@ourco.example', 'jo@ourco.example', 'sam@ourco.example']);
    await eventually(async () => {
      const res = await fetch(`${base}/api/accounts/acme/interactions`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      return ((await res.json()) as { interactions: { title: string }[] }).interactions.some(
        (i) => i.title === 'Acme onboarding',
      );
    }, 15_000);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);

    // The sandbox forgot everything; the restarted service hands back its grant: still connected, still syncing.
    const restarted = spawnService({ DATA_DIR: dataDir });
    const again = `http://127.0.0.1:${await restarted.listening}`;
    const restartedAt = Date.now();
    const connection = await eventually(async () => {
      const res = await fetch(`${again}/api/connections`, { headers: { Authorization: `Bearer ${key}` } });
      const [alex] = ((await res.json()) as { connections: Record<string, string | null>[] }).connections;
      return alex &&
        alex.lastSyncAt &&
        Date.parse(alex.lastSyncAt) >= restartedAt - 1000 &&
        alex.channelExpiresAt
        ? alex
        : null;
    }, 15_000);
    expect(connection).toMatchObject({ email: 'alex@ourco.example', status: 'active', lastError: null });
    const after = await fetch(`${again}/api/accounts/logo/interactions`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(
      ((await after.json()) as { interactions: { title: string }[] }).interactions.map((i) => i.title),
    ).toContain('Logo QBR');
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    // The operator loses the secret key: a new one is generated, and the stored tokens no longer open. The service
    // still starts, says so once, shows Alex as needing to reconnect, and Alex's sign-in replaces the tokens.
    rmSync(path.join(dataDir, 'secret.key'));
    const rekeyed = spawnService({ DATA_DIR: dataDir });
    const third = `http://127.0.0.1:${await rekeyed.listening}`;
    const [, newKey] = await stderrMatch(rekeyed, KEY);
    expect(newKey).not.toBe(key);
    const alex = async () => {
      const res = await fetch(`${third}/api/connections`, { headers: { Authorization: `Bearer ${newKey}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { connections: Record<string, string | null>[] }).connections[0]!;
    };
    expect(await alex()).toMatchObject({
      status: 'needs_reconnect',
      lastError: expect.stringMatching(/SECRET_KEY/),
    });
    expect(rekeyed.stdout()).toMatch(/"level":"error"[^\n]*"members":1[^\n]*cannot be decrypted/);
    await signInOverHttp(third, 'alex@ourco.example', third);
    expect(await alex()).toMatchObject({ status: 'active', lastError: null });
    rekeyed.child.kill('SIGTERM');
    expect(await rekeyed.exited).toBe(0);
  });

  it('loses no webhook delivery when it crashes while deliveries are pending', async () => {
    const receiver = await startWebhookReceiver();
    try {
      receiver.answer(503);
      const first = spawnService({ DATA_DIR: dataDir });
      const base = `http://127.0.0.1:${await first.listening}`;
      const [, key] = await stderrMatch(first, KEY);
      const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
      const created = await fetch(`${base}/api/webhook-endpoints`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ url: receiver.url }),
      });
      expect(created.status).toBe(201);
      const { secret } = (await created.json()) as { secret: string };
      await signInOverHttp(base, 'alex@ourco.example', base);
      // The first delivery was refused and recorded so: every change is pending when the process dies. (Killed
      // in the middle of a delivery instead, it would wait out the delivery's lease, 30 s, before sending again.)
      const { endpoints } = (await (await fetch(`${base}/api/webhook-endpoints`, { headers })).json()) as {
        endpoints: { id: string }[];
      };
      await eventually(async () => {
        const res = await fetch(`${base}/api/webhook-endpoints/${endpoints[0]!.id}/deliveries`, { headers });
        const { deliveries } = (await res.json()) as { deliveries: { status: string }[] };
        return deliveries.some((delivery) => delivery.status === 'failed');
      }, 15_000);
      first.child.kill('SIGKILL');
      await first.exited;

      receiver.answer(200);
      const second = spawnService({ DATA_DIR: dataDir });
      const again = `http://127.0.0.1:${await second.listening}`;
      const feed = async () => {
        const res = await fetch(`${again}/api/changes?limit=1000`, { headers });
        return ((await res.json()) as { changes: { id: string }[] }).changes.map((change) => change.id);
      };
      const expected = (await eventually(async () => {
        const ids = await feed();
        const delivered = receiver.accepted().map((delivery) => delivery.id);
        return ids.length > 0 && JSON.stringify(delivered) === JSON.stringify(ids) ? ids : null;
      }, 30_000))!;
      expect(new Set(expected).size).toBe(expected.length);
      // Every refused delivery was of the first change, and was sent again under the same webhook-id.
      expect(new Set(receiver.received.filter((r) => r.status === 503).map((r) => r.id))).toEqual(
        new Set([expected[0]]),
      );
      receiver.verifyAll(secret);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('enrols a member with a service account key file at GOOGLE_BASE_URL, and no key material reaches a log', async () => {
    const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK });
    const sandboxServer = sandbox.app.listen(0, '127.0.0.1');
    await once(sandboxServer, 'listening');
    try {
      sandbox.addUser({ email: 'ada@ourco.com' });
      const key = sandbox.serviceAccountKey();
      const keyFile = path.join(dataDir, 'service-account.json');
      writeFileSync(keyFile, JSON.stringify(key), { mode: 0o600 });
      const service = spawnService({
        DATA_DIR: dataDir,
        GOOGLE_BASE_URL: `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`,
        GOOGLE_SERVICE_ACCOUNT_KEY: keyFile,
        ADMIN_API_KEY: 'process-test-admin-key-0123',
        LOG_LEVEL: 'debug',
      });
      const base = `http://127.0.0.1:${await service.listening}`;
      const res = await fetch(`${base}/api/members`, {
        method: 'POST',
        headers: { Authorization: 'Bearer process-test-admin-key-0123', 'Content-Type': 'application/json' },
        body: JSON.stringify({ emails: ['ada@ourco.com', 'nobody@ourco.com'] }),
      });
      expect(res.status).toBe(200);
      const outcome = (await res.json()) as { enrolled: { email: string }[]; failed: { email: string }[] };
      expect(outcome.enrolled.map((m) => m.email)).toEqual(['ada@ourco.com']);
      expect(outcome.failed.map((m) => m.email)).toEqual(['nobody@ourco.com']);
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      const output = service.stdout() + service.stderr();
      expect(output).toContain('members enrolled through domain-wide delegation');
      expect(output).not.toContain('PRIVATE KEY');
      for (const line of key.private_key.split('\n').slice(1, -2)) expect(output).not.toContain(line);
      expect(output).not.toMatch(/eyJ[\w-]+\.eyJ/);
    } finally {
      sandbox.close();
      sandboxServer.close();
    }
  }, 60_000);

  it('stops with one line naming the key file when GOOGLE_SERVICE_ACCOUNT_KEY is unusable, quoting none of it', async () => {
    const missing = spawnService({
      DATA_DIR: dataDir,
      GOOGLE_SERVICE_ACCOUNT_KEY: path.join(dataDir, 'nope.json'),
    });
    expect(await missing.exited).toBe(78);
    expect(missing.stderr().trim()).toBe(
      `Configuration error: GOOGLE_SERVICE_ACCOUNT_KEY cannot be read (ENOENT): "${path.join(dataDir, 'nope.json')}"`,
    );
    const file = path.join(dataDir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({ client_email: 'sa@p.iam.gserviceaccount.com', private_key: 'SECRETSAUCE' }),
    );
    const broken = spawnService({ DATA_DIR: dataDir, GOOGLE_SERVICE_ACCOUNT_KEY: file });
    expect(await broken.exited).toBe(78);
    expect(broken.stderr().trim()).toBe(
      `Configuration error: GOOGLE_SERVICE_ACCOUNT_KEY "${file}" has a "private_key" that is not a PEM private key`,
    );
  });

  it.each([
    [{ PORT: 'abc' }, 'Configuration error: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [
      { NODE_ENV: 'production' },
      'Configuration error: SECRET_KEY, ADMIN_API_KEY, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET must be set when NODE_ENV=production',
    ],
    [
      {
        NODE_ENV: 'production',
        SECRET_KEY: 'a-secret-key-of-at-least-32-characters!',
        ADMIN_API_KEY: 'an-admin-key-long-enough',
        GOOGLE_CLIENT_ID: 'id',
        GOOGLE_CLIENT_SECRET: 'secret',
        PUBLIC_URL: 'http://calendar.example.com',
      },
      'Configuration error: PUBLIC_URL must be an https URL when NODE_ENV=production: Google pushes only to https (got "http://calendar.example.com")',
    ],
  ])('stops at once with one clear line on a bad environment %j', async (env, line) => {
    const service = spawnService({ DATA_DIR: dataDir, ...env });
    expect(await service.exited).toBe(78);
    expect(service.stderr().trim()).toBe(line);
  });
});
