import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { calendar_v3 } from '@googleapis/calendar';

import { GoogleSandbox } from '../sandbox/google-sandbox';
import { EVENTS_PAGE_SIZE, oauthClient } from '../src/adapters/google/google-calendar.gateway';
import { endpointsAt, type GoogleClientSettings } from '../src/adapters/google/google-endpoints';
import { createPinoLogger } from '../src/adapters/observability/pino-logger';
import { CompleteSignIn } from '../src/application/use-cases/complete-sign-in.use-case';
import { StartSignIn } from '../src/application/use-cases/start-sign-in.use-case';
import { SyncCalendar } from '../src/application/use-cases/sync-calendar.use-case';
import { loadConfig } from '../src/config';
import { buildContainer } from '../src/container';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { attendeeEmail, seedAccountsAndContacts } from './fixtures';

const EVENTS = 10_000;
const GUESTS_PER_EVENT = 4;
const MEMBER = 'bench.member@ourco.com';
/**
 * Added by the sandbox to every Calendar API call: 0 shows our own cost (the sandbox answers in-process in a few
 * milliseconds, far faster than Google), 150 ms is closer to what events.list takes at Google for a page of 500.
 */
const LATENCIES_MS = [0, 150];

/**
 * `npm run bench -- sync`: the first sync of 10,000 events (the member and 4 guests each) against 100,000 contacts
 * and 20,000 accounts, through the sandbox and the real googleapis client; compared in the same run with paging
 * the same events through the same client and doing nothing with them.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const target of databaseTargets()) {
    for (const latencyMs of LATENCIES_MS) rows.push(await measure(target, latencyMs));
  }
  process.stdout.write(
    [
      `\nsync: first sync of ${EVENTS} events x ${GUESTS_PER_EVENT + 1} attendees, pages of ${EVENTS_PAGE_SIZE}`,
      '| database | Google latency | raw paging (s) | our sync (s) | ratio | pages | round trips per page | interactions | peak RSS (MB) | RSS growth in sync (MB) |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(target: DatabaseTarget, latencyMs: number): Promise<string> {
  const db = await target.start();
  const sandbox = new GoogleSandbox();
  const server = sandbox.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await seedAccountsAndContacts(db.dataSource);
    sandbox.addUser({ email: MEMBER, timeZone: 'Europe/Paris' });
    const now = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const start = new Date(now - (80 * 86_400_000 * (i + 1)) / EVENTS);
      start.setUTCSeconds(0, 0);
      sandbox.insertEvent(MEMBER, {
        summary: `Meeting ${i}`,
        start: { dateTime: start.toISOString() },
        end: { dateTime: new Date(start.getTime() + 30 * 60_000).toISOString() },
        attendees: [
          { email: MEMBER, self: true, responseStatus: 'accepted' },
          ...Array.from({ length: GUESTS_PER_EVENT }, (_, k) => ({
            email: attendeeEmail(i * GUESTS_PER_EVENT + k),
            responseStatus: 'accepted' as const,
          })),
        ],
      });
    }

    const google: GoogleClientSettings = {
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      redirectUri: 'http://localhost:3000/auth/google/callback',
      endpoints: endpointsAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    };
    const config = loadConfig({
      NODE_ENV: 'test',
      SECRET_KEY: 'bench-secret-key-0123456789-0123456789',
      ADMIN_API_KEY: 'bench-admin-key-0123456789',
      INTERNAL_DOMAINS: 'ourco.com',
    });
    const container = buildContainer({
      config,
      logger: createPinoLogger('silent'),
      dataSource: db.dataSource,
      google: () => google,
    });
    sandbox.setConsentingUser(MEMBER);

    const consent = async () => {
      const start = container.get(StartSignIn).execute();
      const answer = await fetch(start.redirectUrl, { redirect: 'manual' });
      return { start, code: new URL(answer.headers.get('location')!).searchParams.get('code')! };
    };
    const signIn = await consent();
    const { memberId } = await container.get(CompleteSignIn).execute({
      code: signIn.code,
      state: signIn.start.state,
      browserState: signIn.start.state,
    });

    const raw = oauthClient(google);
    raw.setCredentials((await raw.getToken((await consent()).code)).tokens);
    const client = new calendar_v3.Calendar({ auth: raw, rootUrl: google.endpoints.apiRoot, retry: false });
    const timeMin = new Date(now - config.syncLookbackDays * 86_400_000).toISOString();
    const rawPaging = async () => {
      const started = performance.now();
      let pageToken: string | undefined;
      let items = 0;
      do {
        const { data } = await client.events.list({
          calendarId: 'primary',
          singleEvents: true,
          maxResults: EVENTS_PAGE_SIZE,
          timeMin,
          ...(pageToken ? { pageToken } : {}),
        });
        items += data.items?.length ?? 0;
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      if (items !== EVENTS) throw new Error(`raw paging saw ${items} events`);
      return (performance.now() - started) / 1000;
    };

    sandbox.setLatency(latencyMs);
    const rawBefore = await rawPaging();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const queriesBefore = db.queryCounter.count;
    const started = performance.now();
    const outcome = await container.get(SyncCalendar).execute(memberId);
    const ours = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const queries = db.queryCounter.count - queriesBefore;
    const rawAfter = await rawPaging();
    if (outcome.outcome !== 'synced') throw new Error(`sync ended ${outcome.outcome}`);
    const rawSeconds = (rawBefore + rawAfter) / 2;
    const [counted] = await db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM interactions',
    );
    const interactions = counted!.n;
    return `| ${target.name} | ${latencyMs} ms | ${rawSeconds.toFixed(2)} | ${ours.toFixed(2)} | ${(ours / rawSeconds).toFixed(2)}x | ${outcome.pages} | ${(queries / outcome.pages).toFixed(1)} | ${interactions} | ${Math.round(peakRss / 1024 / 1024)} | ${Math.round((peakRss - rssBefore) / 1024 / 1024)} |`;
  } finally {
    sandbox.close();
    server.closeAllConnections();
    server.close();
    await db.stop();
  }
}
