import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { transformFileSync } from '@swc/core';
import express from 'express';
import { Client } from 'pg';

import { GoogleSandbox } from '../../sandbox/google-sandbox';
import { AesGcmTokenCipher } from '../../src/adapters/crypto/aes-gcm-token-cipher';
import { CALENDAR_READONLY_SCOPE } from '../../src/adapters/google/scopes';
import { createDataSource } from '../../src/adapters/persistence/data-source';
import { WAKE_CHANNEL } from '../../src/adapters/persistence/pg-wake-channel';
import { TypeOrmChannelRepository } from '../../src/adapters/persistence/typeorm-channel.repository';
import { TypeOrmMemberRepository } from '../../src/adapters/persistence/typeorm-member.repository';
import { TypeOrmSyncQueue } from '../../src/adapters/persistence/typeorm-sync-queue';
import type { GoogleCredentials } from '../../src/application/ports/calendar-gateway.port';
import { databaseUrl as databaseUrlOn, withClient } from '../support/databases';
import { at, eventually, freePort, LOOPBACK } from '../support/e2e';
import { RecordingLogger } from '../support/logger';
import { busiestWindow } from '../support/windows';
import {
  killServices,
  type ServiceProcess,
  signInOverHttp,
  spawnService,
  START_NODE_FLAGS,
} from '../support/service-process';

const CALENDARS = 2000;
/** Signed in through the sandbox's consent page, half on each instance; the others are seeded (see `seed`). */
const SIGNED_IN = 100;
const EVENTS_PER_CALENDAR = 3;

/*
 * The week-long life of a channel compressed into about a minute, within Google's quota (10,000 calls/min, ~167/s)
 * so that a service can keep to it. A channel is renewed every TTL - RENEW_BEFORE (+ up to a tick) = 45-47 s, a
 * watch and a stop: 2,000 x 2 / 46 s = ~87 calls/s; the safety sync lists every calendar once per period: 2,000 /
 * 30 s = ~67 calls/s; together ~154 calls/s, 92% of the quota. Renewals then have 30 s before a channel lapses to
 * get through, waiting for the Google call budget if they must. (TTL 60 s renewed 40 s before, say, would ask
 * 12,000 calls/min for renewals alone, and no service could keep to it.)
 */
const TTL_SECONDS = 75;
const RENEW_BEFORE_SECONDS = 30;
const RENEW_CRON = '*/2 * * * * *';
const SAFETY_PERIOD_SECONDS = 30;
/** A safety tick comes this long after the services start, usually just after the 2,000 first syncs. */
const SAFETY_TICK_AFTER_SECONDS = 60;
const REQUESTS_PER_MINUTE = 10_000;
/** How long after the end a renewal under way may take to stop the channel it replaced. */
const STOP_SETTLE_MS = 20_000;
const MEMORY_LIMIT_MB = 250;

const serverUrl = process.env.TEST_DATABASE_URL;
const ROOT = path.resolve(__dirname, '../..');
const ADMIN = 'scale-admin-key-0123456789';
const SECRET_KEY = 'scale-secret-key-0123456789-abcdefghijkl';

interface ChannelCall {
  kind: 'watch' | 'stop';
  email: string;
  channelId: string;
  /** 0: the answer was never delivered (the connection closed first). */
  status: number;
  startedAt: number;
  finishedAt: number;
  /** watch: the expiry Google answered (ms since the epoch). */
  expiration: number;
  /** watch: the port of the instance that asked (from its webhook address). */
  by: string;
}

interface Instance {
  service: ServiceProcess;
  url: string;
  port: string;
}

const say = (line: string) => process.stdout.write(`[scale] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/**
 * The service compiled ahead, as `npm start` runs it (`node dist/src/main.js`): memory is measured, and the
 * in-process TypeScript compiler of `spawnService`'s default costs each child ~85 MB (197 MB idle against 110).
 */
function compileService(): string {
  const out = mkdtempSync(path.join(tmpdir(), 'scale-service-'));
  const compile = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) compile(file);
      else if (entry.name.endsWith('.ts')) {
        const { code } = transformFileSync(path.join(ROOT, file), {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
          swcrc: false,
        });
        mkdirSync(path.join(out, dir), { recursive: true });
        writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), code);
      }
    }
  };
  compile('src');
  compile('sandbox');
  return out;
}

/**
 * The scale promise: 2,000 connected calendars on one PostgreSQL database with two instances and one Google (the
 * sandbox, on its own port). Every channel is renewed before it lapses, once per round, and the old one stopped;
 * Google's quota holds; the safety sync spreads over its period; each instance stays within 250 MB. Figures in
 * docs/benchmarks.md. Skipped without TEST_DATABASE_URL (PGlite is single-process by design).
 */
(serverUrl ? describe : describe.skip)('2,000 calendars on PostgreSQL with two instances', () => {
  const database = `scale_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK });
  const channelCalls: ChannelCall[] = [];
  const host = express();
  // Which channel each watch opened and each stop stopped: the sandbox's request log has no bodies, and its
  // registry forgets a stopped channel.
  host.use((req, res, next) => {
    const startedAt = Date.now();
    const watch = req.method === 'POST' && req.path.endsWith('/events/watch');
    const stop = req.method === 'POST' && req.path === '/calendar/v3/channels/stop';
    if (!watch && !stop) return next();
    let answered: { id?: string; expiration?: string } = {};
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      answered = body as typeof answered;
      return json(body);
    };
    // On close, not finish: a watch whose answer never reached the service (it gave up, or its socket broke) may
    // still have opened a channel, and must be counted.
    res.on('close', () => {
      const body = req.body as { id?: string; address?: string } | undefined;
      channelCalls.push({
        kind: watch ? 'watch' : 'stop',
        email: String(res.locals.userEmail),
        channelId: String((watch ? (answered.id ?? body?.id) : body?.id) ?? ''),
        status: res.writableFinished ? res.statusCode : 0,
        startedAt,
        finishedAt: Date.now(),
        expiration: Number(answered.expiration ?? NaN),
        by: body?.address === undefined ? '' : new URL(body.address).port,
      });
    });
    next();
  });
  host.use(sandbox.app);
  // Opened in beforeAll: a skipped suite runs this body too, and a server opened here kept jest from exiting.
  let sandboxServer: Server;
  let compiled: string | null = null;
  let instances: Instance[] = [];
  let db: Client | null = null;
  let startedAt = 0;

  const databaseUrl = () => databaseUrlOn(serverUrl!, database);

  /**
   * Members connected more directly (2,000 sign-ins take ~100 s here, serialised on the matching lock): each is
   * given a grant in the sandbox (the refresh token an earlier consent would have issued), and the member with its
   * encrypted tokens and a full sync request is stored through the service's own repositories, as the callback
   * stores them. No channel: the services' renewal job opens one for every active member without one (as when
   * opening it failed at sign-in), and their first call refreshes the access token.
   */
  async function seed(emails: string[]) {
    const dataSource = createDataSource({ url: databaseUrl(), poolSize: 8, logger: new RecordingLogger() });
    await dataSource.initialize();
    try {
      const members = new TypeOrmMemberRepository(dataSource.manager);
      const channels = new TypeOrmChannelRepository(dataSource.manager);
      const queue = new TypeOrmSyncQueue(dataSource.manager);
      const cipher = new AesGcmTokenCipher(SECRET_KEY);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < emails.length) {
            const email = emails[next++]!;
            const refreshToken = `1//0scale-${randomBytes(18).toString('base64url')}`;
            sandbox.restoreGrant(email, refreshToken, CALENDAR_READONLY_SCOPE);
            const credentials: GoogleCredentials = {
              accessToken: null,
              refreshToken,
              expiryDate: null,
              scope: CALENDAR_READONLY_SCOPE,
            };
            const member = await members.enrol(email, 'UTC');
            const id = member.memberId;
            member.signedIn(cipher.encrypt(JSON.stringify(credentials), id));
            await members.save(member);
            await queue.request(id, true);
            // No sign-in opens its channel: as once the claim of a sign-in whose opening failed has lapsed.
            await channels.releaseMember(id);
          }
        }),
      );
      // Wakes the sync workers of both instances, as a sign-in does.
      await dataSource.query(`NOTIFY ${WAKE_CHANNEL}`);
    } finally {
      await dataSource.destroy();
    }
  }

  beforeAll(async () => {
    sandboxServer = host.listen(0, '127.0.0.1');
    await once(sandboxServer, 'listening');
    await withClient(serverUrl!, (client) => client.query(`CREATE DATABASE "${database}"`));
    compiled = compileService();
    const googleBase = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`;
    startedAt = Date.now();
    // Every 30 s, one tick SAFETY_TICK_AFTER_SECONDS from now (both instances tick; one of them claims the tick).
    const second = Math.floor(startedAt / 1000 + SAFETY_TICK_AFTER_SECONDS) % SAFETY_PERIOD_SECONDS;
    const safetyCron = `${second},${second + SAFETY_PERIOD_SECONDS} * * * * *`;
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const service = spawnService(
        {
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: databaseUrl(),
          GOOGLE_BASE_URL: googleBase,
          GOOGLE_CLIENT_ID: sandbox.clientId,
          GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
          SECRET_KEY,
          // Every sign-in of the test comes from one address.
          AUTH_RATE_LIMIT_PER_MINUTE: '100000',
          ADMIN_API_KEY: ADMIN,
          CHANNEL_TTL_SECONDS: String(TTL_SECONDS),
          RENEW_BEFORE_SECONDS: String(RENEW_BEFORE_SECONDS),
          RENEW_CRON,
          SAFETY_SYNC_CRON: safetyCron,
          GOOGLE_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE),
          NODE_PATH: path.join(ROOT, 'node_modules'),
          LOG_LEVEL: 'warn',
        },
        [...START_NODE_FLAGS, path.join(compiled, 'src/main.js')],
      );
      // One after the other: the second finds the migrations applied.
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok,
        30_000,
      );
      instances.push({ service, url: `http://127.0.0.1:${port}`, port: String(port) });
    }
    db = new Client({ connectionString: databaseUrl() });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const [i, { service }] of instances.entries()) {
      const warnings = service
        .stdout()
        .split('\n')
        .filter((line) => /"level":"(warn|error|fatal)"/.test(line));
      if (warnings.length > 0) say(`instance ${i}: ${warnings.length} warnings, first: ${warnings[0]}`);
    }
    await db?.end();
    // Google first: no more pushes and no Google call to wait for, so the services stop at once.
    sandbox.close();
    sandboxServer.closeAllConnections();
    sandboxServer.close();
    await Promise.all(
      instances.map(async ({ service }) => {
        service.child.kill('SIGTERM');
        await Promise.race([service.exited, sleep(5000)]);
      }),
    );
    killServices();
    instances = [];
    if (compiled !== null) rmSync(compiled, { recursive: true, force: true });
    await withClient(serverUrl!, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    );
  });

  it('renews every channel before it lapses, once, within the quota; spreads the safety sync; bounded memory', async () => {
    const emails = Array.from({ length: CALENDARS }, (_, i) => `scale${i}@ourco.com`);
    for (const email of emails) {
      sandbox.addUser({ email });
      for (let k = 0; k < EVENTS_PER_CALENDAR; k++)
        sandbox.insertEvent(email, {
          summary: `Meeting ${k}`,
          start: { dateTime: at(-1 - k, 9) },
          end: { dateTime: at(-1 - k, 10) },
          attendees: [{ email }, { email: `guest${k}@customer${k}.com` }],
        });
    }
    const since = (time: number) => `${((time - startedAt) / 1000).toFixed(1)} s`;
    const deadline = startedAt + 170_000;
    const renewedCount = () => {
      const watches = new Map<string, number>();
      for (const call of channelCalls)
        if (call.kind === 'watch') watches.set(call.email, (watches.get(call.email) ?? 0) + 1);
      return [...watches.values()].filter((n) => n >= 2).length;
    };
    const firstSynced = async () =>
      (await db!.query<{ n: number }>('SELECT count(*)::int AS n FROM members WHERE sync_token IS NOT NULL'))
        .rows[0]!.n;
    const safetyTicks = async () =>
      (await db!.query<{ key: string }>(`SELECT key FROM job_runs WHERE key LIKE 'safety-sync:%'`)).rows.map(
        ({ key }) => Date.parse(key.slice('safety-sync:'.length)),
      );

    // Connect: SIGNED_IN members sign in on both instances (4 at a time) while the others are seeded.
    let next = 0;
    await Promise.all([
      seed(emails.slice(SIGNED_IN)),
      ...Array.from({ length: 4 }, async () => {
        while (next < SIGNED_IN) {
          const i = next++;
          await signInOverHttp(instances[i % 2]!.url, emails[i]!);
        }
      }),
    ]);
    const storedAt = Date.now();
    while ((await firstSynced()) < CALENDARS && Date.now() < deadline) await sleep(500);
    const connectedAt = Date.now();

    // Observe until every calendar was renewed and a whole safety round went by that began after all first syncs.
    let round: number | undefined;
    for (;;) {
      round = (await safetyTicks()).sort((a, b) => a - b).find((tick) => tick >= connectedAt);
      const roundOver = round !== undefined && Date.now() > round + (SAFETY_PERIOD_SECONDS + 3) * 1000;
      if ((renewedCount() === CALENDARS && roundOver) || Date.now() > deadline) break;
      await sleep(500);
    }
    const observedUntil = Date.now();
    const liveIds = emails.map((email) => sandbox.channels(email).map((channel) => channel.id));
    const live = liveIds.map((ids) => ids.length);
    const memory = instances.map(({ service }) => memoryOf(service.child.pid!));
    // A calendar with two live channels at the end is in a renewal: its watch not answered yet (the sync message
    // goes first), or its stop not made yet (the quota is nearly full here). So a channel live at the end must be
    // stopped, soon, if a watch of its calendar begun before the end came after its own; one whose own watch is not
    // on record yet (its answer still in flight) is judged once it is.
    const liveAtEnd = emails.flatMap((email, i) => liveIds[i]!.map((id) => ({ email, id })));
    const unstopped = () =>
      liveAtEnd.filter(({ email, id }) => {
        const own = channelCalls.find((call) => call.kind === 'watch' && call.channelId === id);
        const superseded =
          own === undefined ||
          channelCalls.some(
            (call) =>
              call.kind === 'watch' &&
              call.email === email &&
              call.status === 200 &&
              call.startedAt > own.startedAt &&
              call.startedAt < observedUntil,
          );
        return superseded && !channelCalls.some((call) => call.kind === 'stop' && call.channelId === id);
      });
    const stopsPending = unstopped().length;
    const settleDeadline = Date.now() + STOP_SETTLE_MS;
    while (unstopped().length > 0 && Date.now() < settleDeadline) await sleep(250);
    const settledAfterMs = Date.now() - observedUntil;

    // (a) Channels: for each calendar, each new channel opened before the one it replaces expired, that one then
    // stopped once; renewed once per round (both instances renewing a channel would show two watches in a round).
    const stops = new Map<string, ChannelCall[]>();
    for (const call of channelCalls)
      if (call.kind === 'stop') stops.set(call.channelId, [...(stops.get(call.channelId) ?? []), call]);
    const problems: string[] = [];
    const renewalsBy = new Map<string, number>();
    let minOverlapMs = Infinity;
    let maxOverlapMs = 0;
    let minIntervalMs = Infinity;
    let lastFirstChannel = 0;
    let lastFirstRenewal = 0;
    const roundIntervalMs = (TTL_SECONDS - RENEW_BEFORE_SECONDS) * 1000;
    for (const email of emails) {
      const watches = channelCalls
        .filter((call) => call.kind === 'watch' && call.email === email)
        .sort((x, y) => x.startedAt - y.startedAt);
      if (watches.length < 2) problems.push(`${email}: ${watches.length} channel(s) opened, never renewed`);
      lastFirstChannel = Math.max(lastFirstChannel, watches[0]?.finishedAt ?? Infinity);
      lastFirstRenewal = Math.max(lastFirstRenewal, watches[1]?.finishedAt ?? Infinity);
      for (const call of watches)
        if (call.status !== 200) problems.push(`${email}: watch answered ${call.status}`);
      for (let i = 1; i < watches.length; i++) {
        const [old, renewal] = [watches[i - 1]!, watches[i]!];
        renewalsBy.set(renewal.by, (renewalsBy.get(renewal.by) ?? 0) + 1);
        const overlapMs = old.expiration - renewal.finishedAt;
        minOverlapMs = Math.min(minOverlapMs, overlapMs);
        maxOverlapMs = Math.max(maxOverlapMs, overlapMs);
        if (overlapMs <= 0) problems.push(`${email}: no channel for ${-overlapMs} ms`);
        const intervalMs = renewal.startedAt - old.startedAt;
        minIntervalMs = Math.min(minIntervalMs, intervalMs);
        if (intervalMs < roundIntervalMs - 1000)
          problems.push(`${email}: opened again after ${intervalMs} ms`);
        const [stop, ...again] = stops.get(old.channelId) ?? [];
        if (stop === undefined) {
          // A stop follows its renewal within milliseconds, unless the observation ended in between.
          if (renewal.finishedAt < observedUntil - 5000) problems.push(`${email}: old channel never stopped`);
        } else if (stop.status !== 204 || stop.startedAt < renewal.finishedAt)
          problems.push(`${email}: old channel stopped (${stop.status}) before its successor opened`);
        if (again.length > 0) problems.push(`${email}: old channel stopped ${again.length + 1} times`);
      }
    }
    const renewals = [...renewalsBy.values()].reduce((sum, n) => sum + n, 0);
    const lapsed = live.filter((n) => n === 0).length;
    // Google's view at the end: one live channel per calendar, two only while a renewal is under way: the older
    // one is stopped within STOP_SETTLE_MS of the end.
    const extras = [...new Set(unstopped().map(({ email }) => email))].map((email) => {
      const calls = channelCalls
        .filter((call) => call.email === email)
        .map((c) => `${c.kind} ${c.channelId.slice(0, 8)} ${c.status} at ${since(c.finishedAt)}`);
      return `${email}: a superseded channel still live ${STOP_SETTLE_MS / 1000} s after the end; ${calls.join(', ')}`;
    });
    const extra = extras.length;

    // (b) Google's quota: the Calendar API calls of both instances in any 60 s window.
    const api = sandbox.requests.filter((r) => r.path.startsWith('/calendar/v3/'));
    const times = api.map((r) => r.startedAt);
    const busiest60s = busiestWindow(times, 60_000);

    // (c) The safety round: when each calendar's incremental listing came, from the tick, by the second.
    const period = SAFETY_PERIOD_SECONDS * 1000;
    const listings = api.filter(
      (r) => r.method === 'GET' && r.path.endsWith('/events') && r.query.syncToken !== undefined,
    );
    const firstListing = new Map<string, number>();
    for (const r of listings)
      if (round !== undefined && r.startedAt >= round && r.startedAt < round + period + 3000)
        if (!firstListing.has(r.userEmail!)) firstListing.set(r.userEmail!, r.startedAt - round);
    // A calendar whose sync of the previous round was still going at the tick is not given another one in this
    // round (it was synced just then).
    const atTheTick = emails.filter(
      (email) =>
        !firstListing.has(email) &&
        listings.some((r) => r.userEmail === email && r.startedAt < round! && r.startedAt > round! - 5000),
    ).length;
    const buckets = Array.from({ length: SAFETY_PERIOD_SECONDS + 3 }, () => 0);
    for (const offset of firstListing.values()) buckets[Math.floor(offset / 1000)]!++;
    const meanPerSecond = CALENDARS / SAFETY_PERIOD_SECONDS;
    const inPeriod = buckets.slice(0, SAFETY_PERIOD_SECONDS);
    const offsets = [...firstListing.values()].sort((a, b) => a - b);
    const quantile = (q: number) =>
      ((offsets[Math.floor(q * (offsets.length - 1))] ?? NaN) / 1000).toFixed(1);

    const figures = [
      `${CALENDARS} calendars (${SIGNED_IN} signed in on the consent page, ${CALENDARS - SIGNED_IN} seeded), ` +
        `${EVENTS_PER_CALENDAR} events each; TTL ${TTL_SECONDS} s, renewed ${RENEW_BEFORE_SECONDS} s before, ` +
        `RENEW_CRON ${RENEW_CRON}, safety period ${SAFETY_PERIOD_SECONDS} s; times from the services' start`,
      `connected: stored by ${since(storedAt)}, all channels open by ${since(lastFirstChannel)}, first syncs ` +
        `done by ${since(connectedAt)}; all renewed by ${since(lastFirstRenewal)}; observed until ${since(observedUntil)}`,
      `renewals ${renewals} (${instances.map((i) => renewalsBy.get(i.port) ?? 0).join(' + ')} by instance), stops ` +
        `${channelCalls.filter((c) => c.kind === 'stop').length}; problems ${problems.length}; at the end, calendars ` +
        `without a live channel ${lapsed}, with a replaced one still live ${extra} (${stopsPending} stops pending ` +
        `at the end, waited ${(settledAfterMs / 1000).toFixed(1)} s)`,
      `old channel's remaining life when its successor opened: min ${(minOverlapMs / 1000).toFixed(1)} s, max ` +
        `${(maxOverlapMs / 1000).toFixed(1)} s (no gap); shortest time between two opens for a calendar ` +
        `${(minIntervalMs / 1000).toFixed(1)} s`,
      `Calendar API calls ${api.length}: busiest 60 s ${busiest60s} (quota ${REQUESTS_PER_MINUTE}); busiest 10 s ` +
        `${busiestWindow(times, 10_000)}, busiest 1 s ${busiestWindow(times, 1000)}`,
      `safety round at ${round === undefined ? 'none' : since(round)}: ${firstListing.size} calendars listed ` +
        `(+${atTheTick} being synced by the previous round at the tick); per second: mean ${meanPerSecond.toFixed(1)}, ` +
        `max ${Math.max(...inPeriod)}, min ${Math.min(...inPeriod)}; first/second half ` +
        `${inPeriod.slice(0, SAFETY_PERIOD_SECONDS / 2).reduce((a, b) => a + b, 0)}/` +
        `${inPeriod.slice(SAFETY_PERIOD_SECONDS / 2).reduce((a, b) => a + b, 0)}; offsets p10/p50/p90/max ` +
        `${quantile(0.1)}/${quantile(0.5)}/${quantile(0.9)}/${quantile(1)} s`,
      `peak memory (VmHWM) ${memory.map((m) => `${m.peakMb.toFixed(0)} MB`).join(' / ')}, at the end (VmRSS) ` +
        `${memory.map((m) => `${m.rssMb.toFixed(0)} MB`).join(' / ')}`,
    ];
    for (const line of figures) say(line);
    for (const problem of [...problems.slice(0, 10), ...extras.slice(0, 5)]) say(`  ${problem}`);

    expect(problems).toEqual([]);
    expect(lapsed).toBe(0);
    expect(extra).toBe(0);
    expect(busiest60s).toBeLessThanOrEqual(REQUESTS_PER_MINUTE);
    expect(round).toBeDefined();
    expect(firstListing.size + atTheTick).toBe(CALENDARS);
    // Spread over the period: no second holds three times its share, and the last calendars come at its end.
    expect(Math.max(...buckets)).toBeLessThanOrEqual(3 * meanPerSecond);
    expect(offsets.at(-1)! / period).toBeGreaterThan(0.9);
    for (const { peakMb } of memory) expect(peakMb).toBeLessThanOrEqual(MEMORY_LIMIT_MB);
  }, 240_000);
});
