import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { calendar_v3 } from '@googleapis/calendar';

import type { GoogleSandbox } from '../sandbox/google-sandbox';

import { EVENTS_PAGE_SIZE, oauthClient } from '../src/adapters/google/google-calendar.gateway';
import { endpointsAt, type GoogleClientSettings } from '../src/adapters/google/google-endpoints';
import { accountRows, attendeeEmail, contactRows } from './fixtures';
import { type DatabaseKind, databaseKinds, startServiceOnSandbox } from './processes';

const EVENTS = 5_000;
const DAYS = 80;
const GUESTS_PER_EVENT = 4;
const ACCOUNTS = 2_000;
const CONTACTS = 10_000;
const RAW_RUNS = 3;
/** The service's defaults (SYNC_LOOKBACK_DAYS, SYNC_LOOKAHEAD_DAYS): raw paging lists the same window. */
const LOOKBACK_DAYS = 90;
const LOOKAHEAD_DAYS = 180;
/** Pause between two reads of the interactions API while the sync runs (one read at a time, as a person). */
const PROBE_PAUSE_MS = 20;
const MEMBER = 'bench.member@ourco.com';
/**
 * Added by the sandbox to every Calendar API call: 0 is the issue's method (our own cost against a stand-in
 * answering in milliseconds); 150 ms is closer to what events.list takes at Google for a page of 500 events.
 */
const LATENCIES_MS = envNumbers('BENCH_SYNC_LATENCIES') ?? [0, 150];
/** Each row measured this many times, each on a new service; with more than one, the medians (the upper middle value for an even count) follow. */
const ROUNDS = envNumbers('BENCH_ROUNDS')?.[0] ?? 1;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(`BENCH_ROUNDS: expected a whole number from 1, got ${ROUNDS}`);
const ADMIN_KEY = 'bench-admin-key-0123456789';
const DAY_MS = 86_400_000;

/**
 * `npm run bench -- sync`: the first sync of 5,000 timed events over 80 days (the member and 4 guests each, 10
 * pages of 500), with 2,000 accounts and 10,000 contacts seeded through the admin API, on the service run as
 * `npm start` runs it. Timed from the OAuth callback to the last interaction being visible in the API, against
 * the median of 3 raw pagings of the same pages through `@googleapis/calendar` from this process. Meanwhile an
 * account's interactions are read through the API, one read at a time, from a process of its own (this one serves
 * the sandbox Google); the service's VmHWM is read at the end. The time before the sync's first `events.list`
 * (the sign-in's own calls to Google) is also given on its own, and the ratio of the rest to raw paging.
 */
export async function run(): Promise<void> {
  const results: Measured[] = [];
  // Rounds outermost: a slow minute of the machine then falls on every row alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of databaseKinds()) {
      for (const latencyMs of LATENCIES_MS) results.push(await measure(kind, latencyMs));
    }
  }
  const medians =
    ROUNDS === 1
      ? []
      : [
          '',
          `medians of ${ROUNDS} rounds (range):`,
          '| database | Google latency | callback to last interaction visible (s) | ratio | of it before the first events.list (s) | from the first events.list, ratio | reads p99 (ms) | VmHWM after the sync (MB) |',
          '|---|---|---|---|---|---|---|---|',
          ...databaseKinds().flatMap((kind) =>
            LATENCIES_MS.map((latencyMs) => {
              const rows = results.filter((r) => r.kind === kind && r.latencyMs === latencyMs);
              const spread = (pick: (r: Measured) => number, digits: number) => {
                const values = rows.map(pick).sort((a, b) => a - b);
                const median = values[Math.floor(values.length / 2)]!;
                return `${median.toFixed(digits)} (${values[0]!.toFixed(digits)}-${values[values.length - 1]!.toFixed(digits)})`;
              };
              return `| ${kind} | ${latencyMs} ms | ${spread((r) => r.seconds, 2)} | ${spread((r) => r.seconds / r.rawSeconds, 2)}x | ${spread((r) => r.signInSeconds, 2)} | ${spread((r) => (r.seconds - r.signInSeconds) / r.rawSeconds, 2)}x | ${spread((r) => r.readsP99, 0)} | ${spread((r) => r.peakMb, 0)} |`;
            }),
          ),
        ];
  process.stdout.write(
    [
      `\nsync: first sync of ${EVENTS} events over ${DAYS} days x ${GUESTS_PER_EVENT + 1} attendees, pages of ${EVENTS_PAGE_SIZE}, ${ACCOUNTS} accounts and ${CONTACTS} contacts`,
      '| database | Google latency | raw paging, median of 3 (s) | callback to last interaction visible (s) | ratio | of it before the first events.list (s) | from the first events.list, ratio | interactions | service VmHWM after seeding / after the sync (MB) | interactions API while syncing: reads, median / p99 / max |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...results.map((r) => r.row),
      ...medians,
      '',
    ].join('\n'),
  );
}

interface Measured {
  kind: DatabaseKind;
  latencyMs: number;
  rawSeconds: number;
  seconds: number;
  /**
   * From the callback to the sync's first `events.list`: the sign-in's work before the sync may list, two calls to
   * Google one after the other (the token, the primary calendar; the watch goes out beside the first list) and its
   * own writes. Raw paging makes none of them.
   */
  signInSeconds: number;
  readsP99: number;
  peakMb: number;
  row: string;
}

/** A comma-separated list of numbers from the environment, or undefined when the variable is unset. */
function envNumbers(name: string): number[] | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(`${name}: expected numbers, got ${raw}`);
  return values;
}

async function measure(kind: DatabaseKind, latencyMs: number): Promise<Measured> {
  const { sandbox, googleBase, service, stop } = await startServiceOnSandbox(kind, {
    ADMIN_API_KEY: ADMIN_KEY,
    INTERNAL_DOMAINS: 'ourco.com',
  });
  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json', ...init.headers },
    });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  try {
    await api('/api/accounts', { method: 'PUT', body: JSON.stringify(accountRows(0, ACCOUNTS, ACCOUNTS)) });
    await api('/api/contacts', {
      method: 'PUT',
      body: JSON.stringify(contactRows(0, CONTACTS, CONTACTS, ACCOUNTS)),
    });
    sandbox.addUser({ email: MEMBER, timeZone: 'Europe/Paris' });
    const now = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const start = new Date(now - (DAYS * DAY_MS * (i + 1)) / EVENTS);
      start.setUTCSeconds(0, 0);
      sandbox.insertEvent(MEMBER, {
        summary: `Meeting ${i}`,
        start: { dateTime: start.toISOString() },
        end: { dateTime: new Date(start.getTime() + 30 * 60_000).toISOString() },
        attendees: [
          { email: MEMBER, self: true, responseStatus: 'accepted' },
          ...Array.from({ length: GUESTS_PER_EVENT }, (_, k) => ({
            email: attendeeEmail(i * GUESTS_PER_EVENT + k, ACCOUNTS, CONTACTS),
            responseStatus: 'accepted' as const,
          })),
        ],
      });
    }

    sandbox.setLatency(latencyMs);
    const rawSeconds = await rawPaging(sandbox, googleBase);
    const seededMb = service.memory().peakMb;

    // The browser's part of the sign-in; the clock starts when the service gets the callback.
    const begin = await fetch(`${service.url}/auth/google`, { redirect: 'manual' });
    const cookie = begin.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await consent(new URL(begin.headers.get('location')!), googleBase);
    const probe = await probeInteractions(service.url, `account-${(7919 * 4) % ACCOUNTS}`);
    const started = performance.now();
    const startedWallMs = Date.now();
    const answered = await fetch(`${service.url}${callback.pathname}${callback.search}`, {
      headers: { Cookie: cookie },
      redirect: 'manual',
    });
    if (answered.status !== 302) throw new Error(`the callback answered ${answered.status}`);
    for (;;) {
      const { connections } = (await api('/api/connections')) as {
        connections: { email: string; lastSyncAt: string | null }[];
      };
      if (connections.find((c) => c.email === MEMBER)?.lastSyncAt) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ours = (performance.now() - started) / 1000;
    // The sandbox logs each request with its wall-clock arrival.
    const firstList = sandbox.requests
      .filter((r) => r.method === 'GET' && r.path.endsWith('/events') && r.startedAt >= startedWallMs)
      .reduce((first, r) => Math.min(first, r.startedAt), Number.POSITIVE_INFINITY);
    if (!Number.isFinite(firstList)) throw new Error('the sandbox saw no events.list after the callback');
    const signInSeconds = (firstList - startedWallMs) / 1000;
    if (process.env.BENCH_SYNC_TIMELINE === '1') {
      const doneMs = startedWallMs + ours * 1000;
      const rel = (ms: number) => String(Math.round(ms - startedWallMs)).padStart(5);
      console.log(`[timeline] ${kind} ${latencyMs} ms, in ms after the callback; done at ${rel(doneMs)}`);
      for (const r of sandbox.requests.filter((r) => r.startedAt >= startedWallMs && r.startedAt <= doneMs))
        console.log(`[timeline] ${rel(r.startedAt)} ${rel(r.finishedAt)} ${r.method} ${r.path} ${r.status}`);
    }
    const reads = await probe.stop();
    const peakMb = service.memory().peakMb;
    let interactions = 0;
    let cursor: string | null = null;
    do {
      const page = (await api(`/api/interactions?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)) as {
        interactions: unknown[];
        nextCursor: string | null;
      };
      interactions += page.interactions.length;
      cursor = page.nextCursor;
    } while (cursor);
    const at = (q: number) =>
      `${Math.round(reads[Math.min(reads.length - 1, Math.floor(q * reads.length))]!)}`;
    return {
      kind,
      latencyMs,
      rawSeconds,
      seconds: ours,
      signInSeconds,
      readsP99: Number(at(0.99)),
      peakMb,
      row: `| ${kind} | ${latencyMs} ms | ${rawSeconds.toFixed(2)} | ${ours.toFixed(2)} | ${(ours / rawSeconds).toFixed(2)}x | ${signInSeconds.toFixed(2)} | ${((ours - signInSeconds) / rawSeconds).toFixed(2)}x | ${interactions} | ${Math.round(seededMb)} / ${Math.round(peakMb)} | ${reads.length}: ${at(0.5)} / ${at(0.99)} / ${at(1)} ms |`,
    };
  } finally {
    await stop();
  }
}

/** Approves the sandbox's consent page for the member; returns the callback URL it redirects to. */
async function consent(authorize: URL, googleBase: string): Promise<URL> {
  const form = new URLSearchParams(authorize.searchParams);
  form.set('email', MEMBER);
  const approved = await fetch(`${googleBase}${authorize.pathname}/approve`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  return new URL(approved.headers.get('location')!);
}

/** The median of 3 listings of the same pages (same query) through the official client, doing nothing else. */
async function rawPaging(sandbox: GoogleSandbox, googleBase: string): Promise<number> {
  const google: GoogleClientSettings = {
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    redirectUri: 'http://127.0.0.1/auth/google/callback',
    endpoints: endpointsAt(googleBase),
  };
  const auth = oauthClient(google);
  const authorize = new URL(
    auth.generateAuthUrl({ scope: ['https://www.googleapis.com/auth/calendar.readonly'] }),
  );
  const code = (await consent(authorize, googleBase)).searchParams.get('code')!;
  auth.setCredentials((await auth.getToken(code)).tokens);
  const client = new calendar_v3.Calendar({ auth, rootUrl: google.endpoints.apiRoot, retry: false });
  const now = Date.now();
  const timeMin = new Date(now - LOOKBACK_DAYS * DAY_MS).toISOString();
  const timeMax = new Date(now + LOOKAHEAD_DAYS * DAY_MS).toISOString();
  const seconds: number[] = [];
  for (let run = 0; run < RAW_RUNS; run++) {
    const started = performance.now();
    let pageToken: string | undefined;
    let items = 0;
    do {
      const { data } = await client.events.list({
        calendarId: 'primary',
        singleEvents: true,
        maxResults: EVENTS_PAGE_SIZE,
        timeMin,
        timeMax,
        ...(pageToken ? { pageToken } : {}),
      });
      items += data.items?.length ?? 0;
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    if (items !== EVENTS) throw new Error(`raw paging saw ${items} events`);
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(RAW_RUNS / 2)]!;
}

/**
 * Reads an account's interactions over and over from its own process (bench/probe-process.ts), one read at a time,
 * until stopped; the latencies, sorted. Resolves once the first read was answered.
 */
async function probeInteractions(
  serviceUrl: string,
  accountId: string,
): Promise<{ stop(): Promise<number[]> }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'probe-process.ts'),
      `${serviceUrl}/api/accounts/${accountId}/interactions?limit=50`,
      String(PROBE_PAUSE_MS),
    ],
    {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, BENCH_PROBE_KEY: ADMIN_KEY },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  while (!out.startsWith('ready\n')) {
    if (child.exitCode !== null) throw new Error(`the probe exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    async stop() {
      child.stdin.end('stop\n');
      const [code] = await exited;
      if (code !== 0) throw new Error(`the probe exited with ${code}`);
      return (JSON.parse(out.slice('ready\n'.length)) as number[]).sort((a, b) => a - b);
    },
  };
}
