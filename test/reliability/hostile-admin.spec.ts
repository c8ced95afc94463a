import request from 'supertest';

import { seededRandom } from '../../sandbox/random';
import { auth } from '../support/app';
import { databaseTargets } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

const REQUESTS = 4_000;
const SEED = 20261130;

/** Strings a client could send where ids, dates, limits and names go: each a way to reach the database badly. */
const HOSTILE = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007',
  '\uFFFF',
  '\uD800',
  '😀',
  'x'.repeat(5_000),
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '2026-02-31',
  '2026-02-29',
  '2026-13-01',
  '0000-01-01',
  '9999-12-31T23:59:59Z',
  '2026-11-20T25:00:00Z',
  '2026-11-20T10:00:00+99:00',
  '1',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  '[]',
  '{}',
  '00000000-0000-4000-8000-000000000000',
  'FFFFFFFF-FFFF-4FFF-8FFF-FFFFFFFFFFFF',
  '%',
  '%ZZ',
];

/** Cursors a client could forge: ours in shape with contents no page of ours ever holds. */
const CURSOR_CONTENTS: unknown[] = [
  { startTime: '1', id: '00000000-0000-4000-8000-000000000000' },
  { startTime: '2026-02-31T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' },
  { startTime: '2026-11-20T00:00:00.000Z', id: '\u0000' },
  { startTime: 5, id: [] },
  { after: '\u0000' },
  { after: 'x'.repeat(10_000) },
  { after: { $gt: '' } },
  { __proto__: { after: 'a' } },
  { x: '1', s: '\u0000' },
  { x: '99999999999999999999', s: '0' },
  { x: '-5', s: '0' },
  { x: 1, s: 0 },
  { after: '00000000-0000-4000-8000-000000000000', x: '1e3', s: '-1' },
  { after: '\u0000', x: '1', s: '-1' },
  'just a string',
  null,
];

/**
 * Thousands of generated, seeded admin API and admin page requests (ids, query strings, cursors, bodies, forms):
 * no answer is a 5xx, every request that writes is refused, and nothing changes (docs/reliability.md).
 */
describe.each(databaseTargets())('hostile admin input on $name', (target) => {
  let e: E2E;
  let memberId: string;
  let adminAgent: ReturnType<typeof request.agent>;
  let csrf: string;
  const admin = 'boss@ourco.com';

  beforeAll(async () => {
    e = await startE2E(target, { quiet: true, env: { ADMIN_EMAILS: admin } });
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([{ email: 'tess@logo.com', name: 'Tess', accountId: 'logo' }])
      .expect(200);
    e.sandbox.addUser({ email: admin });
    e.sandbox.insertEvent(admin, {
      summary: 'QBR',
      start: { dateTime: at(-1, 9) },
      end: { dateTime: at(-1, 10) },
      attendees: [{ email: admin }, { email: 'tess@logo.com' }, { email: 'cfo@nowhere.example' }],
    });
    ({ memberId, agent: adminAgent } = await e.signIn(admin));
    await e.sync(memberId);
    csrf = /name="csrf" value="([^"]+)"/.exec((await adminAgent.get('/admin').expect(200)).text)?.[1] ?? '';
    expect(csrf).not.toBe('');
  }, 60_000);
  afterAll(() => e.stop());

  const snapshot = async () =>
    (
      await e.t.db.dataSource.query<Record<string, unknown>[]>(
        `SELECT (SELECT count(*) FROM accounts)::int AS accounts,
                (SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM accounts) AS account_names,
                (SELECT count(*) FROM account_domains)::int AS domains,
                (SELECT string_agg(email || ':' || coalesce(name, '') || ':' || account_id, ',' ORDER BY email)
                 FROM contacts) AS contacts,
                (SELECT string_agg(status || ':' || version || ':' || (credentials IS NOT NULL)::text, ',')
                 FROM members) AS members,
                (SELECT count(*) FROM members WHERE sync_requested_at IS NOT NULL)::int AS requested,
                (SELECT count(*) FROM channels WHERE stopped_at IS NULL)::int AS live_channels,
                (SELECT count(*) FROM meetings)::int AS meetings,
                (SELECT count(*) FROM interactions)::int AS interactions,
                (SELECT count(*) FROM interaction_changes)::int AS changes,
                (SELECT string_agg(url, ',' ORDER BY url) FROM webhook_endpoints) AS endpoints`,
      )
    )[0]!;

  it(`answers ${REQUESTS} generated hostile requests without a 5xx, refusing every write`, async () => {
    await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
    const before = await snapshot();
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const hostile = () => pick(HOSTILE);
    // '[]' is a valid, empty batch: as a body it becomes a broken array.
    const hostileBody = () => (random() < 0.5 ? '[' : pick(HOSTILE.filter((value) => value !== '[]')));
    const encode = (value: string) => {
      try {
        return encodeURIComponent(value);
      } catch {
        return '%ED%A0%80'; // a lone surrogate, as its UTF-8 bytes
      }
    };
    const encoded = () => (random() < 0.2 ? hostile() : encode(hostile()));
    const cursor = () =>
      random() < 0.3 ? encoded() : Buffer.from(JSON.stringify(pick(CURSOR_CONTENTS))).toString('base64url');
    const query = (names: string[]) =>
      names
        .filter(() => random() < 0.7)
        .map((name) => `${name}=${name === 'cursor' ? cursor() : encoded()}`)
        .join('&');
    /** A row with a random field made hostile, and one field that no valid row can have, so it is always refused. */
    const badRow = (fields: Record<string, unknown>, breakers: Record<string, unknown>[]) => {
      const row: Record<string, unknown> = { ...fields };
      const key = pick(Object.keys(row));
      row[key] = pick<unknown>([hostile(), 5, null, [], {}, true, [hostile()], { $ne: 1 }]);
      return { ...row, ...pick(breakers) };
    };
    const badIds = () => pick(['', '\u0000', 'a\u0000b', 'x'.repeat(300), 5, null]);
    type Call = {
      method: string;
      path: string;
      writes: boolean;
      body?: unknown;
      page?: boolean;
      form?: object;
    };
    const generate = (): Call => {
      switch (Math.floor(random() * 30)) {
        case 0:
          return { method: 'GET', path: `/api/accounts?${query(['limit', 'cursor'])}`, writes: false };
        case 1:
          return { method: 'GET', path: `/api/accounts/${encoded()}`, writes: false };
        case 2:
          return {
            method: 'GET',
            path: `/api/accounts/${pick(['logo', encoded()])}/interactions?${query(['from', 'to', 'limit', 'cursor'])}`,
            writes: false,
          };
        case 3:
          return {
            method: 'GET',
            path: `/api/meetings?${query(['matched', 'limit', 'cursor'])}`,
            writes: false,
          };
        case 4:
          return {
            method: 'POST',
            path: `/api/connections/${encoded()}/${pick(['resync', 'reconnect', encoded()])}`,
            writes: true,
          };
        case 5:
          return { method: 'DELETE', path: `/api/connections/${encoded()}`, writes: true };
        case 6:
          return {
            method: 'PUT',
            path: '/api/accounts',
            writes: true,
            body:
              random() < 0.2
                ? hostileBody()
                : [
                    badRow({ id: 'logo', name: 'Logo', domains: ['logo.com'] }, [
                      { id: badIds() },
                      { name: pick(['', '\u0000x', '\u0007']) },
                      { domains: [`${hostile()} not a domain`] },
                    ]),
                  ],
          };
        case 7:
          return {
            method: 'PUT',
            path: '/api/contacts',
            writes: true,
            body:
              random() < 0.2
                ? hostileBody()
                : [
                    badRow({ email: 'tess@logo.com', name: 'Tess', accountId: 'logo' }, [
                      { email: hostile() },
                      { accountId: badIds() },
                      { name: pick(['\u0000', 'x\u0007']) },
                    ]),
                  ],
          };
        case 8:
          return {
            method: 'DELETE',
            path: `/api/${pick(['accounts', 'contacts'])}/${encoded()}`,
            writes: true,
          };
        case 9:
          return { method: 'GET', path: `/admin/accounts?${query(['cursor'])}`, writes: false, page: true };
        case 10:
          return { method: 'GET', path: `/admin/accounts/${encoded()}`, writes: false, page: true };
        case 11:
          return {
            method: 'GET',
            path: `/admin?notice=${encoded()}&${query(['x'])}`,
            writes: false,
            page: true,
          };
        case 12:
          return {
            method: 'POST',
            path: `/admin/connections/${pick([memberId, encoded()])}/${pick(['resync', 'disconnect', encoded()])}`,
            writes: true,
            page: true,
            // Without the session's token, or with it and an id that names no member.
            form: random() < 0.5 ? { csrf: hostile() } : { csrf },
          };
        case 14:
          return { method: 'GET', path: `/api/changes?${query(['cursor', 'limit', 'wait'])}`, writes: false };
        case 15:
          return { method: 'GET', path: `/api/interactions?${query(['cursor', 'limit'])}`, writes: false };
        case 16:
          return {
            method: 'POST',
            path: '/api/webhook-endpoints',
            writes: true,
            body:
              random() < 0.2
                ? hostileBody()
                : badRow({ url: 'https://crm.example/hooks', description: 'CRM' }, [
                    { url: hostile() },
                    { url: `javascript:${hostile()}` },
                    { description: pick(['\u0000', 'x\u0007', 'x'.repeat(600)]) },
                  ]),
          };
        case 17: {
          const method = pick(['DELETE', 'GET']);
          return {
            method,
            path: `/api/webhook-endpoints/${encoded()}${pick(['', '/deliveries'])}`,
            writes: method === 'DELETE',
          };
        }
        case 18:
          return { method: 'GET', path: `/admin/webhooks/${encoded()}`, writes: false, page: true };
        case 19:
          return {
            method: 'POST',
            path: '/admin/webhooks',
            writes: true,
            page: true,
            form:
              random() < 0.5
                ? { csrf: hostile(), url: 'https://crm.example/hooks' }
                : { csrf, url: hostile(), description: hostile() },
          };
        case 20:
          return {
            method: 'POST',
            path: `/admin/webhooks/${encoded()}/delete`,
            writes: true,
            page: true,
            form: random() < 0.5 ? { csrf: hostile() } : { csrf },
          };
        case 21:
          return {
            method: 'POST',
            path: '/api/members',
            writes: true,
            body:
              random() < 0.3
                ? hostileBody()
                : pick<unknown>([
                    { emails: [hostile()] },
                    { emails: hostile() },
                    { domain: hostile() },
                    { domain: 'ourco.com', emails: ['a@ourco.com'] },
                    { emails: ['a@ourco.com'], extra: hostile() },
                    // Well-formed: refused all the same, as delegation is not configured here.
                    { emails: ['a@ourco.com'] },
                  ]),
          };
        case 22:
          return {
            method: 'POST',
            path: '/admin/members',
            writes: true,
            page: true,
            form:
              random() < 0.5
                ? { csrf: hostile(), emails: 'a@ourco.com' }
                : { csrf, emails: hostile(), domain: hostile() },
          };
        case 23:
          return {
            method: 'GET',
            path: `/api/engagement?${query(['limit', 'cursor', 'sort', 'q', 'notMetDays', 'neverMet', 'weeks', 'weeksAhead'])}`,
            writes: false,
          };
        case 24:
          return {
            method: 'GET',
            path: `/api/accounts/${pick(['logo', encoded()])}/engagement?${query(['weeks', 'weeksAhead'])}`,
            writes: false,
          };
        case 25:
          return {
            method: 'GET',
            path: pick([
              `/admin/accounts?${query(['q', 'met', 'sort', 'cursor'])}`,
              `/admin/accounts/${encoded()}`,
            ]),
            writes: false,
            page: true,
          };
        case 26: {
          const kind = pick(['accounts', 'contacts']);
          const header = kind === 'accounts' ? 'id,name,domains' : 'email,name,accountId';
          // A last row no valid upload can have (an empty key), so that even Apply with the token writes nothing.
          const csv = pick([
            hostile(),
            `${header}\n${hostile()},${hostile()},${hostile()}\n,,`,
            `${hostile()},${hostile()}\n${hostile()}`,
          ]);
          const step = pick(['preview', 'apply']);
          // A preview writes nothing (the snapshot says so) and may show what a bad file would do: a 200.
          return {
            method: 'POST',
            path: `/admin/import/${kind}/${step}`,
            writes: step === 'apply',
            page: true,
            form: random() < 0.3 ? { csrf: hostile(), csv } : { csrf, csv, digest: hostile() },
          };
        }
        case 27:
          return {
            method: 'GET',
            path: pick([
              `/admin/interactions.csv?${query(['from', 'to'])}`,
              `/admin/accounts/${pick(['logo', encoded()])}/interactions.csv?${query(['from', 'to'])}`,
            ]),
            writes: false,
            page: true,
          };
        default:
          return {
            method: 'GET',
            path: `/auth/google/callback?${query(['code', 'state', 'error'])}`,
            writes: false,
            page: true,
          };
      }
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const call = generate();
      // A real member's id with the right token is a legitimate admin action: kept out of the hostile stream.
      if (call.form && 'csrf' in call.form && call.form.csrf === csrf && call.path.includes(memberId))
        continue;
      const agent = call.page ? adminAgent : request(e.t.app);
      let pending = agent[call.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](call.path);
      if (!call.page) pending = pending.set(auth);
      if (call.body !== undefined) {
        pending = pending
          .set('Content-Type', 'application/json')
          .send(typeof call.body === 'string' ? call.body : JSON.stringify(call.body));
      }
      if (call.form) pending = pending.type('form').send(call.form);
      const res = await pending;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const refusedWrite = !call.writes || (res.status >= 400 && res.status < 500) || res.status === 303;
      if (res.status >= 500 || !refusedWrite) failures.push(`${call.method} ${call.path} -> ${res.status}`);
    }
    process.stdout.write(
      `hostile admin figures (${target.name}): ${JSON.stringify({ seed: SEED, requests: REQUESTS, statuses: Object.fromEntries(statuses) })}\n`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await request(e.t.app).get('/readyz')).status).toBe(200);
  }, 240_000);
});
