import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { GoogleSandbox } from '../../sandbox/google-sandbox';
import { at, eventually, freePort } from '../support/e2e';
import { killServices, type ServiceProcess, spawnService } from '../support/service-process';

const EVENTS = Number(process.env.CRASH_EVENTS ?? 4_000);
const KILLS = 10;
const ADMIN = 'crash-test-admin-key-0123456';
const MEMBER = 'crashy@ourco.com';

/**
 * kill -9 at 10 points during a large first sync (and more during incremental syncs after changes); after each
 * restart the service carries on, and in the end its interactions equal, exactly, those of a run that was never
 * interrupted (no loss, no duplicate).
 */
describe('crash safety', () => {
  const sandbox = new GoogleSandbox();
  const sandboxServer = sandbox.app.listen(0, '127.0.0.1');
  const dirs: string[] = [];
  const eventIds: string[] = [];
  let googleBase: string;

  beforeAll(async () => {
    await once(sandboxServer, 'listening');
    googleBase = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`;
    sandbox.addUser({ email: MEMBER });
    for (let i = 0; i < EVENTS; i++) {
      const start = at(-1 - (i % 80), 8 + (i % 10), (i * 7) % 60);
      const event = sandbox.insertEvent(MEMBER, {
        summary: `Meeting ${i}`,
        start: { dateTime: start },
        end: { dateTime: new Date(Date.parse(start) + 30 * 60_000).toISOString() },
        attendees: [{ email: MEMBER }, { email: i % 2 === 0 ? 'tess@logo.com' : 'wile@acme.io' }],
      });
      eventIds.push(event.id);
    }
    // Pages slow enough for kills to land inside the sync.
    sandbox.setLatency(60);
  });

  afterAll(() => {
    killServices();
    sandbox.close();
    sandboxServer.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function start(dataDir: string, port: number): Promise<{ service: ServiceProcess; url: string }> {
    const service = spawnService({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      GOOGLE_BASE_URL: googleBase,
      GOOGLE_CLIENT_ID: sandbox.clientId,
      GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
      SECRET_KEY: 'crash-test-secret-key-0123456789-abcdef',
      ADMIN_API_KEY: ADMIN,
      SAFETY_SYNC_CRON: '',
    });
    await service.listening;
    return { service, url: `http://127.0.0.1:${port}` };
  }

  const admin = (url: string, p: string, init: RequestInit = {}) =>
    fetch(`${url}${p}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    });

  async function setUp(url: string) {
    await admin(url, '/api/accounts', {
      method: 'PUT',
      body: JSON.stringify([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
      ]),
    });
    const begin = await fetch(`${url}/auth/google`, { redirect: 'manual' });
    const cookie = begin.headers.getSetCookie()[0]!.split(';')[0]!;
    sandbox.setConsentingUser(MEMBER);
    const consent = await fetch(begin.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    await fetch(`${url}${callback.pathname}${callback.search}`, {
      headers: { Cookie: cookie },
      redirect: 'manual',
    });
  }

  /** Every interaction as "account title start", sorted; [] while the API is not answering. */
  async function interactions(url: string): Promise<string[]> {
    const all: string[] = [];
    for (const account of ['logo', 'acme']) {
      let cursor: string | null = null;
      do {
        const res = await admin(
          url,
          `/api/accounts/${account}/interactions?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        );
        const page = (await res.json()) as {
          interactions: { title: string; startTime: string }[];
          nextCursor: string | null;
        };
        all.push(...page.interactions.map((i) => `${account} ${i.title} ${i.startTime}`));
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    return all.sort();
  }

  /** Waits until the member's calendar has no sync pending or running and the interactions stop changing. */
  async function settled(url: string): Promise<string[]> {
    let previous: string[] = [];
    const lines = await eventually(async () => {
      const res = await admin(url, '/api/connections');
      const [connection] = ((await res.json()) as { connections: { lastSyncAt: string | null }[] })
        .connections;
      const current = await interactions(url);
      const done =
        connection?.lastSyncAt !== null && current.length > 0 && current.join() === previous.join();
      previous = current;
      return done ? current : null;
    }, 90_000);
    return lines!;
  }

  it('ends with exactly the interactions of an uninterrupted run, after 10 kills during a first sync', async () => {
    const cleanDir = mkdtempSync(path.join(tmpdir(), 'clean-'));
    const crashDir = mkdtempSync(path.join(tmpdir(), 'crash-'));
    dirs.push(cleanDir, crashDir);

    const clean = await start(cleanDir, await freePort());
    await setUp(clean.url);
    const expected = await settled(clean.url);
    expect(expected).toHaveLength(EVENTS);
    clean.service.child.kill('SIGTERM');
    await clean.service.exited;

    // One port across restarts: the push channel's address stays valid.
    const port = await freePort();
    let run = await start(crashDir, port);
    await setUp(run.url);
    // Seeded, so that a failure can be replayed: kill points spread over the first sync's duration.
    let seed = 7;
    const seenAtKills: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      await new Promise((resolve) => setTimeout(resolve, 150 + (seed % 900)));
      seenAtKills.push((await interactions(run.url)).length);
      run.service.child.kill('SIGKILL');
      await run.service.exited;
      run = await start(crashDir, port);
    }
    // The kills did land inside the sync: some found it part way, with pages stored and pages to go.
    expect(seenAtKills.some((n) => n > 0 && n < EVENTS)).toBe(true);
    expect(await settled(run.url)).toEqual(expected);

    // Then incremental syncs: changes are pushed, and the service is killed while it syncs them.
    for (let i = 0; i < 40; i++) sandbox.cancelEvent(MEMBER, eventIds[i]!);
    await sandbox.push(MEMBER);
    await new Promise((resolve) => setTimeout(resolve, 30));
    run.service.child.kill('SIGKILL');
    await run.service.exited;
    run = await start(crashDir, port);
    // Nothing pushes after the restart: the request stored before the kill must carry the change through.
    const cancelled = new Set(Array.from({ length: 40 }, (_, i) => `Meeting ${i} `));
    expect(await settled(run.url)).toEqual(
      expected.filter((line) => ![...cancelled].some((c) => line.includes(` ${c}`))),
    );
    run.service.child.kill('SIGTERM');
    await run.service.exited;
  }, 240_000);
});
