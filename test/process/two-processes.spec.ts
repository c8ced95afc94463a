import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import { GoogleSandbox } from '../../sandbox/google-sandbox';
import { databaseUrl as databaseUrlOn, withClient } from '../support/databases';
import { at, eventually, freePort, LOOPBACK } from '../support/e2e';
import { pushHeaders } from '../support/push';
import { killServices, type ServiceProcess, signInOverHttp, spawnService } from '../support/service-process';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const CALENDARS = 50;
const serverUrl = process.env.TEST_DATABASE_URL;
const ADMIN = 'two-processes-admin-key-0123';

interface Instance {
  service: ServiceProcess;
  url: string;
}

/**
 * Two service processes on one PostgreSQL database and one Google (the sandbox, on its own port): what an
 * operator gets with two replicas. Skipped without TEST_DATABASE_URL (PGlite is single-process by design).
 */
(serverUrl ? describe : describe.skip)('two service processes on one PostgreSQL', () => {
  const database = `two_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK });
  // Opened in beforeAll: a skipped suite runs this body too, and a server opened here kept jest from exiting.
  let sandboxServer: Server;
  let instances: Instance[] = [];

  const admin = (instance: Instance, path: string, init: RequestInit = {}) =>
    fetch(`${instance.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json', ...init.headers },
    });

  const databaseUrl = () => databaseUrlOn(serverUrl!, database);

  beforeAll(async () => {
    sandboxServer = sandbox.app.listen(0, '127.0.0.1');
    await once(sandboxServer, 'listening');
    await withClient(serverUrl!, (client) => client.query(`CREATE DATABASE "${database}"`));
    const googleBase = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`;
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const service = spawnService({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: databaseUrl(),
        GOOGLE_BASE_URL: googleBase,
        GOOGLE_CLIENT_ID: sandbox.clientId,
        GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
        SECRET_KEY: 'two-processes-secret-key-0123456789-abcdef',
        // Every sign-in of the test comes from one address.
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        ADMIN_API_KEY: ADMIN,
        SYNC_MIN_INTERVAL_MS: '200',
        RENEW_CRON: '',
        SAFETY_SYNC_CRON: '',
        LOG_LEVEL: 'warn',
      });
      // Started one after the other: the second finds the migrations applied.
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok,
        30_000,
      );
      instances.push({ service, url: `http://127.0.0.1:${port}` });
    }
    await admin(instances[0]!, '/api/accounts', {
      method: 'PUT',
      body: JSON.stringify([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]),
    });
    for (let i = 0; i < CALENDARS; i++) {
      const email = `replica${i}@ourco.com`;
      sandbox.addUser({ email });
      await signInOverHttp(instances[i % 2]!.url, email);
    }
    await sandbox.idle();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      instances.map(async ({ service }) => {
        service.child.kill('SIGTERM');
        await service.exited;
      }),
    );
    killServices();
    instances = [];
    sandbox.close();
    sandboxServer.close();
    await withClient(serverUrl!, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    );
  });

  it('converges every calendar under a push storm over both processes, never listing a calendar twice at once', async () => {
    sandbox.clearRequests();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < CALENDARS; i++) {
        const email = `replica${i}@ourco.com`;
        sandbox.insertEvent(email, {
          summary: `Storm ${round}`,
          start: { dateTime: at(-1 - round, 9) },
          end: { dateTime: at(-1 - round, 10) },
          attendees: [{ email }, { email: 'tess@logo.com' }],
        });
      }
      const sends = [];
      for (let i = 0; i < CALENDARS; i++) {
        const [channel] = sandbox.channels(`replica${i}@ourco.com`);
        for (let k = 0; k < 10; k++) {
          sends.push(
            fetch(`${instances[k % 2]!.url}/webhooks/google/calendar`, {
              method: 'POST',
              headers: pushHeaders(channel!, 10 * round + k + 2),
            }).then((res) => res.status),
          );
        }
      }
      expect(new Set(await Promise.all(sends))).toEqual(new Set([200]));
    }
    await eventually(async () => {
      const res = await admin(instances[1]!, '/api/accounts/logo/interactions?limit=1000');
      const { interactions } = (await res.json()) as { interactions: { title: string }[] };
      return interactions.filter((i) => i.title.startsWith('Storm')).length === CALENDARS * 3;
    }, 60_000);

    const lists = sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
    const byCalendar = new Map<string, { startedAt: number; finishedAt: number }[]>();
    for (const call of lists)
      byCalendar.set(call.userEmail!, [...(byCalendar.get(call.userEmail!) ?? []), call]);
    expect(byCalendar.size).toBe(CALENDARS);
    let overlaps = 0;
    for (const calls of byCalendar.values()) {
      const sorted = [...calls].sort((x, y) => x.startedAt - y.startedAt);
      for (let i = 1; i < sorted.length; i++)
        if (sorted[i]!.startedAt < sorted[i - 1]!.finishedAt) overlaps++;
    }
    expect(overlaps).toBe(0);
  }, 120_000);

  it('delivers each change once to each webhook endpoint, in feed order, with both processes delivering', async () => {
    const receivers: WebhookReceiver[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const receiver = await startWebhookReceiver();
        // Slow receivers keep deliveries in flight on both processes at once.
        receiver.delay(5);
        receivers.push(receiver);
      }
      const before = await admin(instances[0]!, '/api/interactions?limit=1');
      const { changesCursor } = (await before.json()) as { changesCursor: string };
      const secrets: string[] = [];
      for (const [i, receiver] of receivers.entries()) {
        const res = await admin(instances[i % 2]!, '/api/webhook-endpoints', {
          method: 'POST',
          body: JSON.stringify({ url: receiver.url }),
        });
        expect(res.status).toBe(201);
        secrets.push(((await res.json()) as { secret: string }).secret);
      }
      for (let i = 0; i < CALENDARS; i++) {
        const email = `replica${i}@ourco.com`;
        sandbox.insertEvent(email, {
          summary: 'Out',
          start: { dateTime: at(-5, 9) },
          end: { dateTime: at(-5, 10) },
          attendees: [{ email }, { email: 'tess@logo.com' }],
        });
        const [channel] = sandbox.channels(email);
        await fetch(`${instances[i % 2]!.url}/webhooks/google/calendar`, {
          method: 'POST',
          headers: pushHeaders(channel!, 100 + i),
        });
      }
      const feed = async () => {
        const ids: string[] = [];
        let cursor = changesCursor;
        for (;;) {
          const res = await admin(instances[1]!, `/api/changes?limit=1000&cursor=${cursor}`);
          const page = (await res.json()) as { changes: { id: string }[]; nextCursor: string };
          if (page.changes.length === 0) return ids;
          ids.push(...page.changes.map((change) => change.id));
          cursor = page.nextCursor;
        }
      };
      const expected = await eventually(async () => {
        const ids = await feed();
        return ids.length >= CALENDARS &&
          receivers.every((receiver) => receiver.accepted().length >= ids.length)
          ? ids
          : null;
      }, 60_000);
      for (const [i, receiver] of receivers.entries()) {
        expect(receiver.received.map((delivery) => delivery.id)).toEqual(expected);
        receiver.verifyAll(secrets[i]!);
      }
    } finally {
      await Promise.all(receivers.map((receiver) => receiver.stop()));
    }
  }, 90_000);

  it('renews each channel once when both processes renew at the same time', async () => {
    await withClient(databaseUrl(), (client) =>
      client.query(`UPDATE channels SET expires_at = now() + interval '1 hour' WHERE stopped_at IS NULL`),
    );
    const answers = await Promise.all(
      instances.map(
        async (instance) =>
          (await (await admin(instance, '/api/channels/renew', { method: 'POST' })).json()) as {
            renewed: number;
          },
      ),
    );
    expect(answers[0]!.renewed + answers[1]!.renewed).toBe(CALENDARS);
    for (let i = 0; i < CALENDARS; i++) expect(sandbox.channels(`replica${i}@ourco.com`)).toHaveLength(1);
  }, 60_000);
});
