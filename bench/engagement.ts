import { performance } from 'node:perf_hooks';

import type { DataSource } from 'typeorm';

import { signInOverHttp } from '../test/support/service-process';
import { type DatabaseKind, databaseKinds, startServiceOnSandbox } from './processes';

const ACCOUNTS = 20_000;
const INTERACTIONS = 200_000;
const MEMBERS = 50;
/** Meetings spread over the two years before now and the 60 days after it. */
const PAST_DAYS = 730;
const AHEAD_DAYS = 60;
/** The accounts above this share of the ids never meet anyone. */
const NEVER_MET_SHARE = 0.9;
const WARM_UP = 3;
const TIMED = 25;
const ADMIN = 'lead@ourco.example';
const ADMIN_KEY = 'bench-admin-key-0123456789';

/**
 * `npm run bench -- engagement`: the accounts list and an account's page with 20,000 accounts and 200,000
 * interactions (seeded in the database before the service starts: the sync would take an hour to make them), on
 * the service run as `npm start` runs it. Each case is asked 25 times in a row after 3 warm-up requests, from
 * this process over loopback; the figures are the client's, so the server's own time is a little less.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const kind of databaseKinds()) rows.push(...(await measure(kind)));
  process.stdout.write(
    [
      `\nengagement: ${ACCOUNTS} accounts, ${INTERACTIONS} interactions over ${PAST_DAYS} days past and ${AHEAD_DAYS} ahead, ${MEMBERS} members; ${TIMED} requests per case`,
      '| database | request | median (ms) | p95 (ms) | max (ms) |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(kind: DatabaseKind): Promise<string[]> {
  const started = performance.now();
  const { sandbox, service, stop } = await startServiceOnSandbox(
    kind,
    { ADMIN_API_KEY: ADMIN_KEY, ADMIN_EMAILS: ADMIN, INTERNAL_DOMAINS: 'ourco.example' },
    seed,
  );
  process.stderr.write(
    `engagement: ${kind} seeded and started in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  try {
    sandbox.addUser({ email: ADMIN });
    const cookie = await signInOverHttp(service.url, ADMIN);
    const api = { Authorization: `Bearer ${ADMIN_KEY}` };
    const page = { Cookie: cookie };
    const second = (await (
      await fetch(`${service.url}/api/engagement?sort=-lastMeeting&limit=50`, { headers: api })
    ).json()) as {
      nextCursor: string;
    };
    const cases: [string, string, Record<string, string>][] = [
      ['GET /admin/accounts (by name)', '/admin/accounts', page],
      ['GET /admin/accounts?sort=-lastMeeting', '/admin/accounts?sort=-lastMeeting', page],
      ['GET /admin/accounts?met=60', '/admin/accounts?met=60&sort=lastMeeting', page],
      ['GET /admin/accounts?sort=topMember', '/admin/accounts?sort=topMember', page],
      ['GET /admin/accounts?q=customer12', '/admin/accounts?q=customer12', page],
      ['GET /admin/accounts/:id', '/admin/accounts/acct-00042', page],
      ['GET /api/engagement?sort=-meetings90d&limit=50', '/api/engagement?sort=-meetings90d&limit=50', api],
      [
        'GET /api/engagement, second page by last meeting',
        `/api/engagement?sort=-lastMeeting&limit=50&cursor=${second.nextCursor}`,
        api,
      ],
      ['GET /api/engagement?neverMet=true&limit=50', '/api/engagement?neverMet=true&limit=50', api],
      [
        'GET /api/accounts/:id/engagement?weeks=26&weeksAhead=8',
        '/api/accounts/acct-00042/engagement?weeks=26&weeksAhead=8',
        api,
      ],
    ];
    const rows: string[] = [];
    for (const [name, path, headers] of cases) {
      const times: number[] = [];
      for (let i = 0; i < WARM_UP + TIMED; i++) {
        const begin = performance.now();
        const res = await fetch(`${service.url}${path}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        if (i >= WARM_UP) times.push(performance.now() - begin);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
      rows.push(
        `| ${kind} | ${name} | ${at(0.5).toFixed(0)} | ${at(0.95).toFixed(0)} | ${times[times.length - 1]!.toFixed(0)} |`,
      );
    }
    return rows;
  } finally {
    await stop();
  }
}

/**
 * Accounts `acct-00001`… with one domain each; members who are not connected (nothing to sync); meetings, each
 * a member's calendar event with one account's interaction. Accounts meet at different rates: the account of a
 * meeting is drawn with a skew from the first 90% (the last 10% are never met), its start uniformly over the
 * window.
 */
async function seed(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (db) => {
    await db.query('SELECT setseed(0.42)');
    await db.query(
      `INSERT INTO accounts (id, name)
       SELECT 'acct-' || lpad(g::text, 5, '0'), 'Account ' || lpad(g::text, 5, '0') FROM generate_series(1, $1) g`,
      [ACCOUNTS],
    );
    await db.query(
      `INSERT INTO account_domains (account_id, domain)
       SELECT 'acct-' || lpad(g::text, 5, '0'), 'customer' || g || '.example' FROM generate_series(1, $1) g`,
      [ACCOUNTS],
    );
    await db.query(
      `INSERT INTO members (email, status)
       SELECT 'member' || g || '@ourco.example', 'disconnected' FROM generate_series(1, $1) g`,
      [MEMBERS],
    );
    await db.query(
      `CREATE TEMPORARY TABLE seeded ON COMMIT DROP AS
       SELECT g, gen_random_uuid() AS meeting_id,
              'acct-' || lpad((1 + floor(power(random(), 1.6) * $2))::int::text, 5, '0') AS account_id,
              now() - $3 * interval '1 day' + ($3 + $4) * interval '1 day' * random() AS start_time,
              1 + floor(random() * $5)::int AS member
       FROM generate_series(1, $1) g`,
      [INTERACTIONS, Math.round(ACCOUNTS * NEVER_MET_SHARE), PAST_DAYS, AHEAD_DAYS, MEMBERS],
    );
    await db.query(
      `INSERT INTO meetings (id, ical_uid, original_start, title, start_time, duration_minutes, local_date, attendees,
                             participants, attendees_updated, source_updated, account_matches, match_keys)
       SELECT meeting_id, 'seed-' || g, '', 'Meeting ' || g, start_time, 30, (start_time AT TIME ZONE 'UTC')::date,
              '[]', '[]', now(), now(), jsonb_build_array(jsonb_build_object('accountId', account_id,
              'matchedBy', 'domain')), '{}'
       FROM seeded`,
    );
    await db.query(
      `INSERT INTO calendar_events (member_id, event_id, meeting_id, seen_generation)
       SELECT mb.id, 'seed' || s.g, s.meeting_id, 0
       FROM seeded s JOIN members mb ON mb.email = 'member' || s.member || '@ourco.example'`,
    );
    await db.query(
      `INSERT INTO interactions (meeting_id, account_id, matched_by, start_time, local_date)
       SELECT meeting_id, account_id, 'domain', start_time, (start_time AT TIME ZONE 'UTC')::date FROM seeded`,
    );
  });
  await dataSource.query('ANALYZE');
}
