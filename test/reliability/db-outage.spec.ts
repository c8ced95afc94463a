import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import { type GoogleEvent, GoogleSandbox, type PushResult } from '../../sandbox/google-sandbox';
import { seededRandom } from '../../sandbox/random';
import { at, eventually, freePort, LOOPBACK } from '../support/e2e';
import {
  type PrivatePostgres,
  postgresBinDir,
  privatePostgresUnavailable,
  startPrivatePostgres,
} from '../support/private-postgres';
import { pushHeaders } from '../support/push';
import { killServices, type ServiceProcess, signInOverHttp, spawnService } from '../support/service-process';

const MEMBERS = 5;
const OUTAGE_MS = 10_000;
/** One calendar change per step, each one pushed by the sandbox as Google does (with its retries). */
const STEP_MS = 120;
/** Sandbox latency during the stream: syncs last long enough for the stop to cut some. */
const GOOGLE_LATENCY_MS = 150;
const SEED = Number(process.env.OUTAGE_SEED ?? 20_251_126);
const ADMIN = 'db-outage-admin-key-0123456789';
const SECRET_KEY = 'db-outage-secret-key-0123456789-abcdefgh';
const WEBHOOK = '/webhooks/google/calendar';
const ACCOUNTS = [
  { id: 'logo', name: 'Logo', domains: ['logo.com'] },
  { id: 'acme', name: 'Acme', domains: ['acme.io'] },
  { id: 'globex', name: 'Globex', domains: ['globex.com'] },
];
const DOMAINS = ACCOUNTS.map((account) => account.domains[0]!);
const ACCOUNT_BY_DOMAIN = new Map(ACCOUNTS.map((account) => [account.domains[0]!, account.id]));
const member = (i: number) => `outage${i}@ourco.com`;
/** Calendars 0-1 change before, during and after the outage; 2-3 before and during it only. */
const BUSY = [0, 1, 2, 3];
/** Changes before the outage, once more 0.5 s into it, then never again: only a push retried after it can tell. */
const QUIET = 4;

const skipReason = privatePostgresUnavailable();
const binDir = postgresBinDir();
if (skipReason !== null) process.stderr.write(`db-outage.spec.ts skipped: ${skipReason}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Probe {
  status: number | null;
  finishedAt: number;
}

/** What the scenario observed; the tests below judge it. */
interface Outcome {
  /** Per calendar: the interactions expected from the sandbox's final calendars, and those the service has. */
  want: Map<string, string[]>;
  got: Map<string, string[]>;
  readyz: Probe[];
  webhook: Probe[];
  pushes: PushResult[];
  quietPushes: PushResult[];
  unavailable: number;
  figures: Record<string, unknown>;
}

/**
 * Database outage: the service runs on a private PostgreSQL cluster that the test stops for 10 s in the middle of a
 * push stream. During the outage the webhook answers 503 (so Google retries) and /readyz fails; once the cluster
 * is back the same process recovers (no restart), and after the sandbox's Google-like push retries the
 * interactions equal exactly those of the sandbox's final calendars: no change lost, none duplicated.
 */
(skipReason === null ? describe : describe.skip)(
  `database outage on a private PostgreSQL cluster${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK });
    // Opened in beforeAll: a skipped suite runs this body too, and a server opened here kept jest from exiting.
    let sandboxServer: Server;
    let cluster: PrivatePostgres | null = null;
    let service: ServiceProcess | null = null;
    let pid: number | undefined;
    let url = '';
    let outcome: Outcome | null = null;

    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json', ...init.headers },
      });
    const ready = async () => (await fetch(`${url}/readyz`).catch(() => null))?.status ?? null;

    /** Every interaction as "account title start" (duplicates kept, so that they show). */
    async function interactions(): Promise<string[]> {
      const lines: string[] = [];
      for (const { id } of ACCOUNTS) {
        let cursor: string | null = null;
        do {
          const res = await admin(
            `/api/accounts/${id}/interactions?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
          );
          expect(res.status).toBe(200);
          const page = (await res.json()) as {
            interactions: { title: string; startTime: string }[];
            nextCursor: string | null;
          };
          lines.push(...page.interactions.map((i) => `${id} ${i.title} ${i.startTime}`));
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
      return lines;
    }

    async function queueDepth(): Promise<number> {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return Number(/^sync_queue_depth (\d+)/m.exec(metrics)?.[1] ?? NaN);
    }

    /** Warnings and errors the service logged, for failure messages. */
    const complaints = () =>
      service!
        .stdout()
        .split('\n')
        .filter((line) => /"level":"(warn|error|fatal)"/.test(line) && !line.includes('"request failed"'))
        .filter((line) => !/push notification not stored|readiness check failed/.test(line))
        .slice(-25)
        .join('\n');

    beforeAll(async () => {
      sandboxServer = sandbox.app.listen(0, '127.0.0.1');
      await once(sandboxServer, 'listening');
      cluster = await startPrivatePostgres(binDir!);
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      service = spawnService({
        PORT: String(port),
        PUBLIC_URL: url,
        DATABASE_URL: cluster.url,
        GOOGLE_BASE_URL: `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`,
        GOOGLE_CLIENT_ID: sandbox.clientId,
        GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
        SECRET_KEY,
        // Every sign-in of the test comes from one address.
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        ADMIN_API_KEY: ADMIN,
        SYNC_MIN_INTERVAL_MS: '200',
        // No periodic job may repair a lost change behind the test's back: only pushes bring changes in.
        RENEW_CRON: '',
        SAFETY_SYNC_CRON: '',
        LOG_LEVEL: 'info',
      });
      await service.listening;
      pid = service.child.pid;
      await eventually(async () => (await ready()) === 200, 20_000);
      expect((await admin('/api/accounts', { method: 'PUT', body: JSON.stringify(ACCOUNTS) })).status).toBe(
        200,
      );
      for (let i = 0; i < MEMBERS; i++) {
        sandbox.addUser({ email: member(i) });
        await signInOverHttp(url, member(i));
      }
      // Every first full sync done: from here on only pushes start syncs.
      await eventually(async () => {
        const { connections } = (await (await admin('/api/connections')).json()) as {
          connections: { lastSyncAt: string | null }[];
        };
        return connections.length === MEMBERS && connections.every((c) => c.lastSyncAt !== null);
      }, 20_000);
      await sandbox.idle();
    }, 60_000);

    afterAll(async () => {
      sandbox.autoPush(false);
      const svc = service;
      if (svc !== null && svc.child.exitCode === null && svc.child.signalCode === null) {
        svc.child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([
          svc.exited.then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000))),
        ]);
        clearTimeout(timer);
        if (!stopped) svc.child.kill('SIGKILL');
      }
      killServices();
      sandbox.close();
      sandboxServer.closeAllConnections();
      sandboxServer.close();
      await cluster?.destroy();
    }, 30_000);

    it('answers 503 to every valid push and fails /readyz while the database is down', async () => {
      const db = cluster!;
      // Deterministic, so that a failing stream can be replayed with OUTAGE_SEED.
      const next = seededRandom(SEED);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;

      // The sandbox's calendars as they end up: the latest revision the sandbox returned for each live event.
      const live = new Map<string, { calendar: string; event: GoogleEvent }>();
      /** Titles are unique, so that every interaction the service shows can be traced to its calendar. */
      const calendarOfTitle = new Map<string, string>();
      let serial = 0;
      const changes = { before: 0, during: 0, after: 0 };
      let phase: keyof typeof changes = 'before';

      const attendees = (calendar: string, n: number) => [
        { email: calendar, responseStatus: 'accepted' as const },
        { email: `guest${n}@${pick(DOMAINS)}`, responseStatus: 'accepted' as const },
      ];
      const slot = (n: number) => {
        const start = at(-1 - (n % 30), 7 + (n % 11), (n * 7) % 60);
        return {
          start: { dateTime: start },
          end: { dateTime: new Date(Date.parse(start) + (15 + (n % 4) * 15) * 60_000).toISOString() },
        };
      };
      /** One change in one calendar: insert, update (title, time, sometimes the account) or cancel. */
      const change = (index: number) => {
        const calendar = member(index);
        const mine = [...live.entries()].filter(([, tracked]) => tracked.calendar === calendar);
        const n = ++serial;
        const roll = next();
        if (mine.length < 3 || roll < 0.45) {
          const summary = `Outage ${n}`;
          const event = sandbox.insertEvent(calendar, {
            summary,
            ...slot(n),
            attendees: attendees(calendar, n),
          });
          live.set(event.id, { calendar, event });
          calendarOfTitle.set(summary, calendar);
        } else if (roll < 0.8) {
          const [id] = pick(mine);
          const summary = `Outage ${n} (moved)`;
          const event = sandbox.updateEvent(calendar, id, {
            summary,
            ...slot(n),
            // Now and then the meeting goes to another account.
            ...(next() < 0.3 ? { attendees: attendees(calendar, n) } : {}),
          });
          live.set(id, { calendar, event });
          calendarOfTitle.set(summary, calendar);
        } else {
          const [id] = pick(mine);
          sandbox.cancelEvent(calendar, id);
          live.delete(id);
        }
        changes[phase]++;
      };
      const stream = async (calendars: number[], untilMs: number) => {
        while (Date.now() < untilMs) {
          change(pick(calendars));
          await sleep(STEP_MS);
        }
      };
      const byCalendar = (lines: { calendar: string; line: string }[]) => {
        const map = new Map<string, string[]>(
          Array.from({ length: MEMBERS }, (_, i) => [member(i), [] as string[]]),
        );
        for (const { calendar, line } of lines) map.set(calendar, [...(map.get(calendar) ?? []), line]);
        for (const list of map.values()) list.sort();
        return map;
      };
      const expected = () =>
        byCalendar(
          [...live.values()].map(({ calendar, event }) => {
            const guest = event.attendees!.find((a) => !a.email.endsWith('@ourco.com'))!;
            const account = ACCOUNT_BY_DOMAIN.get(guest.email.split('@')[1]!)!;
            return {
              calendar,
              line: `${account} ${event.summary} ${new Date(event.start!.dateTime!).toISOString()}`,
            };
          }),
        );
      const actual = async () =>
        byCalendar(
          (await interactions()).map((line) => {
            const title = / (Outage \d+(?: \(moved\))?) /.exec(line)?.[1] ?? '';
            return { calendar: calendarOfTitle.get(title) ?? 'unknown', line };
          }),
        );
      const same = (a: string[] | undefined, b: string[] | undefined) => a?.join('\n') === b?.join('\n');

      const testStarted = Date.now();
      sandbox.setLatency(GOOGLE_LATENCY_MS);
      sandbox.clearRequests();
      const pushesBefore = sandbox.pushResults.length;
      sandbox.autoPush(true);

      // Before: every calendar changes.
      await stream([...BUSY, QUIET], Date.now() + 1_500);

      // The outage: a fast shutdown ends every session with an error, then nothing listens on the port.
      const stopCalled = Date.now();
      await db.stop('fast');
      const stopped = Date.now();
      phase = 'during';
      const readyz: Probe[] = [];
      const webhook: Probe[] = [];
      let probing = true;
      const probes = (async () => {
        for (let k = 0; probing; k++) {
          const channel = pick(sandbox.channels(member(pick([...BUSY, QUIET]))));
          const [r, w] = await Promise.all([
            ready(),
            fetch(`${url}${WEBHOOK}`, { method: 'POST', headers: pushHeaders(channel, 1_000_000 + 2 * k) })
              .then((res) => res.status)
              .catch(() => null),
          ]);
          readyz.push({ status: r, finishedAt: Date.now() });
          webhook.push({ status: w, finishedAt: Date.now() });
          await sleep(250);
        }
      })();
      const quiet = sleep(500).then(() => change(QUIET));
      const quietChannel = sandbox.channels(member(QUIET))[0]!.id;
      await stream(BUSY, stopCalled + OUTAGE_MS);
      await quiet;
      probing = false;
      await probes;

      const restartCalled = Date.now();
      await db.start();
      const restarted = Date.now();
      phase = 'after';
      // After: the stream goes on for two calendars while the service finds its database again.
      const readyAt = eventually(async () => ((await ready()) === 200 ? Date.now() : 0), 15_000);
      await stream([0, 1], restarted + 2_000);
      const recoveredAt = await readyAt;

      // Google's retries are over (delivered or given up); then the syncs they started must converge. The quiet
      // calendar's fate is sealed once no sync is pending any more: it is not waited for beyond that.
      await sandbox.idle();
      sandbox.setLatency(0);
      const want = expected();
      let got = new Map<string, string[]>();
      const busyConverged = () =>
        [...want.keys()].filter((c) => c !== member(QUIET)).every((c) => same(want.get(c), got.get(c)));
      let idleRounds = 0;
      await eventually(async () => {
        got = await actual();
        if (!busyConverged()) return false;
        if (same(want.get(member(QUIET)), got.get(member(QUIET)))) return true;
        idleRounds = (await queueDepth()) === 0 ? idleRounds + 1 : 0;
        return idleRounds >= 5;
      }, 20_000).catch(() => undefined);
      const settledAt = Date.now();

      const duringOutage = (probe: Probe) => probe.finishedAt < restartCalled;
      const pushes = sandbox.pushResults.slice(pushesBefore).filter((r) => r.resourceState === 'exists');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const unavailable = [
        ...metrics.matchAll(/^push_notifications_total\{[^}]*outcome="unavailable"[^}]*\} (\d+)/gm),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
      const lists = sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
      const figures = {
        seed: SEED,
        changes,
        interactionsExpected: [...want.values()].flat().length,
        stopMs: stopped - stopCalled,
        outageMs: restarted - stopCalled,
        readyzProbesDuringOutage: readyz.filter(duringOutage).length,
        webhookProbesDuringOutage: webhook.filter(duringOutage).length,
        webhook503sCountedByService: unavailable,
        sandboxPushes: pushes.length,
        sandboxPushesRetried: pushes.filter((r) => r.attempts > 1).length,
        sandboxPushesRetriedThen200: pushes.filter((r) => r.attempts > 1 && r.status === 200).length,
        sandboxPushesGivenUp: pushes.filter((r) => r.status !== 200).length,
        eventsListCutByStop: lists.filter((r) => r.startedAt < stopped && r.finishedAt > stopCalled).length,
        claimsReleasedAfterRetry: service!.stdout().split('could not release a sync claim').length - 1,
        readyAfterRestartMs: recoveredAt - restarted,
        settledAfterRestartMs: settledAt - restarted,
        scenarioMs: settledAt - testStarted,
      };
      process.stdout.write(`db-outage figures: ${JSON.stringify(figures)}\n`);
      outcome = {
        want,
        got,
        readyz: readyz.filter(duringOutage),
        webhook: webhook.filter(duringOutage),
        pushes,
        quietPushes: pushes.filter((r) => r.channelId === quietChannel),
        unavailable,
        figures,
      };

      expect(changes.during).toBeGreaterThan(20);
      expect(outcome.readyz.length).toBeGreaterThanOrEqual(10);
      expect(new Set(outcome.readyz.map((p) => p.status))).toEqual(new Set([503]));
      // Never a 200 for a push that was not stored, never a 500.
      expect(new Set(outcome.webhook.map((p) => p.status))).toEqual(new Set([503]));
      expect(unavailable).toBeGreaterThanOrEqual(outcome.webhook.length);
      // The sandbox's own pushes met 503s and were retried; every final answer is a 200 or a 503 (none lost to a
      // hang or a reset).
      expect(figures.sandboxPushesRetried).toBeGreaterThan(0);
      expect(pushes.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    }, 90_000);

    it('recovers without a restart: the same process is ready again at once, and logged no secret', () => {
      expect(outcome).not.toBeNull();
      const svc = service!;
      expect(outcome!.figures.readyAfterRestartMs).toBeLessThan(5_000);
      expect(svc.child.pid).toBe(pid);
      expect(svc.child.exitCode).toBeNull();
      expect(svc.child.signalCode).toBeNull();
      expect(() => process.kill(pid!, 0)).not.toThrow();
      expect(svc.stdout().match(/"msg":"service listening"/g)).toHaveLength(1);
      expect(svc.stdout()).toContain('push notification not stored');

      const logs = svc.stdout() + svc.stderr();
      const secrets = [
        cluster!.password,
        SECRET_KEY,
        ADMIN,
        sandbox.clientSecret,
        ...sandbox.channels().map((c) => c.token!),
      ];
      for (const secret of secrets) expect(logs).not.toContain(secret);
    });

    it('loses and duplicates nothing in the calendars that changed before, during and after the outage', () => {
      expect(outcome).not.toBeNull();
      const { want, got, figures } = outcome!;
      for (const index of BUSY) {
        const calendar = member(index);
        const missing = want.get(calendar)!.filter((line) => !got.get(calendar)!.includes(line));
        const extra = got
          .get(calendar)!
          .filter((line, i, all) => !want.get(calendar)!.includes(line) || all.indexOf(line) !== i);
        if (missing.length > 0 || extra.length > 0)
          throw new Error(
            `${calendar} did not converge (seed ${SEED}): missing ${JSON.stringify(missing)}, extra or ` +
              `duplicated ${JSON.stringify(extra)}\nfigures ${JSON.stringify(figures)}\n${complaints()}`,
          );
      }
      expect(got.get('unknown') ?? []).toEqual([]);
    });

    it('loses nothing when the last change of a calendar came early in the outage and every retry of its push was refused', () => {
      expect(outcome).not.toBeNull();
      const { want, got, quietPushes, figures } = outcome!;
      const calendar = member(QUIET);
      const missing = want.get(calendar)!.filter((line) => !got.get(calendar)!.includes(line));
      const extra = got.get(calendar)!.filter((line) => !want.get(calendar)!.includes(line));
      if (missing.length > 0 || extra.length > 0)
        throw new Error(
          `${calendar}: the change made 0.5 s into the ${OUTAGE_MS / 1000} s outage never reached the service ` +
            `(missing ${JSON.stringify(missing)}, stale ${JSON.stringify(extra)}). Its push was answered 503 and ` +
            `the sandbox gave up before the database was back: ${JSON.stringify(
              quietPushes.filter((r) => r.status !== 200),
            )}. No later push came, and nothing else marks the calendar for sync (SAFETY_SYNC_CRON is off here; ` +
            `in production the hourly safety sync would bring it in up to an hour later).\nfigures ${JSON.stringify(figures)}`,
        );
    });
  },
);
