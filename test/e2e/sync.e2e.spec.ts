import request from 'supertest';

import { EVENTS_PAGE_SIZE } from '../../src/adapters/google/google-calendar.gateway';
import { TOKENS } from '../../src/application/ports/tokens';
import { SyncCalendar, type SyncSettings } from '../../src/application/use-cases/sync-calendar.use-case';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

const titles = (body: { interactions: { title: string }[] }) => body.interactions.map((i) => i.title);

/**
 * Meetings become interactions exactly as CONTRACT.md says: through HTTP sign-in, the sandbox and the real
 * googleapis client, on every database available here.
 */
describe.each(databaseTargets())('sync end to end on $name', (target) => {
  let e: E2E;
  let n = 0;
  let me: string;

  beforeAll(async () => {
    e = await startE2E(target, { env: { INTERNAL_DOMAINS: 'ourco.com' } });
  });
  afterAll(() => e.stop());

  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    me = `member${++n}@ourco.com`;
    e.sandbox.addUser({ email: me, name: 'Cara Sm', timeZone: 'Europe/Paris' });
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
        { id: 'globex', name: 'Globex', domains: ['shared.com'] },
        { id: 'initech', name: 'Initech', domains: ['shared.com'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([{ email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' }])
      .expect(200);
  });

  const person = (email: string, extra: Record<string, unknown> = {}) => ({
    email,
    responseStatus: 'accepted' as const,
    ...extra,
  });

  const meeting = (summary: string, attendees: string[], start = at(-2, 15), end = at(-2, 15, 30)) => ({
    summary,
    start: { dateTime: start },
    end: { dateTime: end },
    attendees: [
      person(me, { self: true, organizer: true, displayName: 'Cara Sm' }),
      ...attendees.map((a) => person(a)),
    ],
  });

  it('records a new meeting as an interaction in the contract shape', async () => {
    const start = at(-2, 23, 30);
    const end = at(-1, 0, 15);
    e.sandbox.insertEvent(me, {
      ...meeting('QBR', [], start, end),
      start: { dateTime: start, timeZone: 'Europe/Paris' },
      attendees: [
        person(me, { self: true, displayName: 'Cara Sm' }),
        person('Tess@Logo.com', { displayName: 'Tess Ter' }),
        person('room-1@resource.calendar.google.com', { resource: true }),
        person('ann@logo.com', { responseStatus: 'declined' }),
      ],
    });
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);

    const [interaction, ...rest] = await e.interactions('logo');
    expect(rest).toEqual([]);
    expect(interaction).toEqual({
      id: expect.any(String),
      accountId: 'logo',
      type: 'Google calendar',
      title: 'QBR',
      private: false,
      date: new Date(new Date(start).getTime() + 3_600_000).toISOString().slice(0, 10),
      startTime: start,
      durationMinutes: 45,
      matchedBy: 'contact',
      participants: [
        {
          name: 'Cara Sm',
          email: me,
          minutesInMeeting: 45,
          responseStatus: 'accepted',
          accountId: null,
          matchedBy: null,
        },
        {
          name: 'Tess Ter',
          email: 'tess@logo.com',
          minutesInMeeting: 45,
          responseStatus: 'accepted',
          accountId: 'logo',
          matchedBy: 'contact',
        },
        // Declined: a participant, but not in the meeting (0 minutes) and matched to no account.
        {
          name: null,
          email: 'ann@logo.com',
          minutesInMeeting: 0,
          responseStatus: 'declined',
          accountId: null,
          matchedBy: null,
        },
      ],
    });
  });

  it('warms the write path up in a transaction that leaves nothing behind', async () => {
    const { memberId } = await e.signIn(me);
    e.sandbox.insertEvent(me, meeting('kept', ['tess@logo.com']));
    await e.sync(memberId);
    const db = e.t.db.dataSource;
    const tables = (
      await db.query<{ name: string }[]>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    ).map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'members', 'meetings', 'interactions']));
    // Every table's rows as JSON, and the change feed's numbering.
    const snapshot = async () =>
      (
        await db.query<{ seq: number; [table: string]: unknown }[]>(
          `SELECT ${tables.map((name) => `(SELECT coalesce(json_agg(t ORDER BY t::text), '[]') FROM "${name}" t)::text AS "${name}"`).join(', ')},
                pg_sequence_last_value(pg_get_serial_sequence('interaction_changes', 'seq')::regclass)::int AS seq`,
        )
      )[0]!;
    const before = await snapshot();

    await e.t.container.get(SyncCalendar).warmUp();

    const after = await snapshot();
    // The change feed's triggers numbered changes of the made-up interactions (of three accounts), then all went.
    expect(after.seq - before.seq).toBeGreaterThanOrEqual(2 * 3);
    expect({ ...after, seq: 0 }).toEqual({ ...before, seq: 0 });
    expect((await e.interactions('logo')).map((i) => i.title)).toEqual(['kept']);
  });

  it('applies every matching rule through the real client', async () => {
    e.sandbox.insertEvent(me, meeting('domain', ['someone@logo.com']));
    e.sandbox.insertEvent(me, meeting('subdomain', ['x@eu.acme.io'], at(-3, 10), at(-3, 11)));
    e.sandbox.insertEvent(me, meeting('ambiguous', ['buyer@shared.com'], at(-4, 10), at(-4, 11)));
    e.sandbox.insertEvent(me, meeting('free mail', ['someone@gmail.com'], at(-5, 10), at(-5, 11)));
    e.sandbox.insertEvent(
      me,
      meeting('internal', ['boss@ourco.com', 'dev@eng.ourco.com'], at(-6, 10), at(-6, 11)),
    );
    e.sandbox.insertEvent(me, {
      ...meeting('all day', ['tess@logo.com']),
      start: { date: at(-7, 0).slice(0, 10) },
      end: { date: at(-6, 0).slice(0, 10) },
    });
    e.sandbox.insertEvent(me, meeting('future', ['tess@logo.com'], at(20, 9), at(20, 10)));
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);

    expect((await e.interactions('logo')).map((i) => [i.title, i.matchedBy])).toEqual([
      ['future', 'contact'],
      ['domain', 'domain'],
    ]);
    expect((await e.interactions('acme')).map((i) => i.title)).toEqual(['subdomain']);
    expect(await e.interactions('globex')).toEqual([]);
    expect(await e.interactions('initech')).toEqual([]);

    const unmatched = await request(e.t.app).get('/api/meetings?matched=false').set(auth).expect(200);
    expect(
      (
        unmatched.body as { meetings: { title: string; reason: string; candidateAccountIds: string[] }[] }
      ).meetings.map((m) => [m.title, m.reason, m.candidateAccountIds]),
    ).toEqual([
      ['ambiguous', 'ambiguous_domain', ['globex', 'initech']],
      ['free mail', 'no_match', []],
    ]);
  });

  it('follows moves, cancellations and attendee changes', async () => {
    const event = e.sandbox.insertEvent(me, meeting('Sync', ['tess@logo.com']));
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);
    const [before] = await e.interactions('logo');

    e.sandbox.updateEvent(me, event.id, { start: { dateTime: at(-1, 9) }, end: { dateTime: at(-1, 10) } });
    await e.sync(memberId);
    const [moved] = await e.interactions('logo');
    expect(moved).toMatchObject({ id: before!.id, startTime: at(-1, 9), durationMinutes: 60 });

    e.sandbox.updateEvent(me, event.id, {
      attendees: [person(me, { self: true }), person('tess@logo.com'), person('wile@acme.io')],
    });
    await e.sync(memberId);
    expect((await e.interactions('acme')).map((i) => i.title)).toEqual(['Sync']);

    e.sandbox.updateEvent(me, event.id, { attendees: [person(me, { self: true }), person('wile@acme.io')] });
    await e.sync(memberId);
    expect(await e.interactions('logo')).toEqual([]);
    expect(await e.interactions('acme')).toHaveLength(1);

    e.sandbox.cancelEvent(me, event.id);
    await e.sync(memberId);
    expect(await e.interactions('acme')).toEqual([]);
    expect(await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM meetings')).toEqual([{ n: 0 }]);
  });

  it('gives one meeting per occurrence of a series and follows a moved or cancelled instance', async () => {
    const series = e.sandbox.insertEvent(me, {
      ...meeting('Weekly', ['tess@logo.com']),
      start: { dateTime: at(-21, 14), timeZone: 'UTC' },
      end: { dateTime: at(-21, 14, 30), timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);
    const instances = await e.interactions('logo');
    expect(instances.map((i) => i.startTime)).toEqual([at(-7, 14), at(-14, 14), at(-21, 14)]);

    const instanceId = (iso: string) => `${series.id}_${iso.replace(/[-:]/g, '').replace('.000', '')}`;
    e.sandbox.updateEvent(me, instanceId(at(-14, 14)), {
      start: { dateTime: at(-13, 8) },
      end: { dateTime: at(-13, 9) },
    });
    e.sandbox.cancelEvent(me, instanceId(at(-7, 14)));
    await e.sync(memberId);
    const after = await e.interactions('logo');
    expect(after.map((i) => [i.startTime, i.durationMinutes])).toEqual([
      [at(-13, 8), 60],
      [at(-21, 14), 30],
    ]);
    expect(after[0]!.id).toBe(instances[1]!.id);
  });

  it('recovers from 410 with a full sync, without duplicates, forgetting what was deleted meanwhile', async () => {
    const keep = e.sandbox.insertEvent(me, meeting('Keep', ['tess@logo.com']));
    const gone = e.sandbox.insertEvent(me, meeting('Gone', ['wile@acme.io']));
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);
    const [kept] = await e.interactions('logo');

    e.sandbox.cancelEvent(me, gone.id);
    e.sandbox.invalidateSyncTokens(me);
    e.sandbox.clearRequests();
    await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'synced', full: true });
    const lists = e.sandbox.requests.filter((r) => r.path.endsWith('/events'));
    expect(lists.map((r) => r.status)).toEqual([410, 200]);
    expect(await e.interactions('logo')).toEqual([kept]);
    expect(await e.interactions('acme')).toEqual([]);
    expect(keep.id).toBeDefined();
  });

  it('rides out rate limits and server errors with backoff', async () => {
    e.sandbox.insertEvent(me, meeting('Busy', ['tess@logo.com']));
    const { memberId } = await e.signIn(me);
    e.sandbox.injectFault({ status: 429, times: 1 });
    e.sandbox.injectFault({ status: 403, reason: 'rateLimitExceeded', times: 1 });
    e.sandbox.injectFault({ status: 500, times: 1 });
    e.sandbox.clearRequests();
    await e.sync(memberId);
    const statuses = e.sandbox.requests.filter((r) => r.path.endsWith('/events')).map((r) => r.status);
    expect(statuses).toEqual([429, 403, 500, 200]);
    expect(await e.interactions('logo')).toHaveLength(1);
  });

  it('refreshes an expired access token and keeps syncing', async () => {
    e.sandbox.insertEvent(me, meeting('Refresh', ['tess@logo.com']));
    const { memberId } = await e.signIn(me);
    e.sandbox.expireAccessTokens(me);
    await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'synced' });
    expect(e.sandbox.requests.some((r) => r.path.endsWith('/token') && r.status === 200)).toBe(true);
  });

  it('marks a member whose grant was revoked as needs_reconnect, and only that member', async () => {
    const other = `other${n}@ourco.com`;
    e.sandbox.addUser({ email: other });
    e.sandbox.insertEvent(other, {
      ...meeting('Theirs', ['tess@logo.com']),
      attendees: [person(other), person('tess@logo.com')],
    });
    const mine = await e.signIn(me);
    const theirs = await e.signIn(other);
    e.sandbox.revokeGrant(me);
    await expect(e.sync(mine.memberId)).resolves.toEqual({ outcome: 'needs_reconnect' });
    await expect(e.sync(theirs.memberId)).resolves.toMatchObject({ outcome: 'synced' });
    const rows = await e.t.db.dataSource.query<
      { email: string; status: string; last_error: string | null }[]
    >('SELECT email, status, last_error FROM members ORDER BY email');
    expect(rows).toEqual([
      { email: me, status: 'needs_reconnect', last_error: expect.stringMatching(/reconnect/) },
      { email: other, status: 'active', last_error: null },
    ]);
    expect(await e.interactions('logo')).toHaveLength(1);
  });

  it('records a meeting two members attend once per account, until no calendar holds it', async () => {
    const other = `other${n}@ourco.com`;
    e.sandbox.addUser({ email: other });
    const shared = e.sandbox.insertSharedEvent([me, other], {
      ...meeting('Joint', ['tess@logo.com']),
      attendees: [person(me), person(other), person('tess@logo.com')],
    });
    const a = await e.signIn(me);
    const b = await e.signIn(other);
    await e.sync(a.memberId);
    await e.sync(b.memberId);
    const [joint, ...more] = await e.interactions('logo');
    expect(more).toEqual([]);
    expect(joint!.participants.map((p) => [p.email, p.accountId])).toEqual([
      [me, null],
      [other, null],
      ['tess@logo.com', 'logo'],
    ]);

    // The organizer cancels: each calendar's copy goes as its member syncs; the meeting stays while one holds it.
    e.sandbox.cancelEvent(me, shared.id);
    await e.sync(a.memberId);
    expect(await e.interactions('logo')).toEqual([joint]);
    await e.sync(b.memberId);
    expect(await e.interactions('logo')).toEqual([]);
  });

  it('matches stored meetings again when accounts or contacts change', async () => {
    e.sandbox.insertEvent(me, meeting('Later fixed', ['buyer@newco.com']));
    e.sandbox.insertEvent(me, meeting('Contact', ['tess@logo.com'], at(-3, 9), at(-3, 10)));
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);

    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'newco', name: 'NewCo', domains: ['newco.com'] }]);
    expect((await e.interactions('newco')).map((i) => i.title)).toEqual(['Later fixed']);

    await request(e.t.app).delete('/api/contacts/tess@logo.com').set(auth).expect(204);
    const [contact] = await e.interactions('logo');
    expect(contact).toMatchObject({ title: 'Contact', matchedBy: 'domain' });
    expect(contact!.participants.find((p) => p.email === 'tess@logo.com')).toMatchObject({
      name: null,
      matchedBy: 'domain',
    });

    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'acme2', name: 'Acme 2', domains: ['logo.com'] }]);
    expect(await e.interactions('logo')).toEqual([]);
    const unmatched = await request(e.t.app).get('/api/meetings?matched=false').set(auth).expect(200);
    expect(unmatched.body.meetings[0]).toMatchObject({
      title: 'Contact',
      reason: 'ambiguous_domain',
      candidateAccountIds: ['acme2', 'logo'],
    });

    await request(e.t.app).delete('/api/accounts/acme2').set(auth).expect(204);
    expect(await e.interactions('logo')).toHaveLength(1);
  });

  it('filters and pages interactions newest first', async () => {
    for (let day = 1; day <= 5; day++) {
      e.sandbox.insertEvent(me, meeting(`Day ${day}`, ['tess@logo.com'], at(-day, 12), at(-day, 13)));
    }
    const { memberId } = await e.signIn(me);
    await e.sync(memberId);
    const first = await request(e.t.app).get('/api/accounts/logo/interactions?limit=2').set(auth).expect(200);
    expect(titles(first.body)).toEqual(['Day 1', 'Day 2']);
    const second = await request(e.t.app)
      .get(`/api/accounts/logo/interactions?limit=2&cursor=${first.body.nextCursor}`)
      .set(auth)
      .expect(200);
    expect(titles(second.body)).toEqual(['Day 3', 'Day 4']);
    const ranged = await e.interactions(
      'logo',
      `?from=${at(-4, 0).slice(0, 10)}&to=${at(-2, 0).slice(0, 10)}`,
    );
    expect(ranged.map((i) => i.title)).toEqual(['Day 2', 'Day 3', 'Day 4']);
    const instants = await e.interactions('logo', `?from=${at(-3, 12)}&to=${at(-1, 11)}`);
    expect(instants.map((i) => i.title)).toEqual(['Day 2', 'Day 3']);
    await request(e.t.app).get('/api/accounts/nope/interactions').set(auth).expect(404);
    await request(e.t.app).get('/api/accounts/logo/interactions?from=yesterday').set(auth).expect(400);
  });
});

/** As on a PostgreSQL server (see the container): a transaction per page, the next one open while the one before commits. */
describe.each(databaseTargets())(
  'a sync of several pages with two transactions in flight on $name',
  (target) => {
    let e: E2E;

    beforeAll(async () => {
      e = await startE2E(target, {
        env: { INTERNAL_DOMAINS: 'ourco.com' },
        configure: (container) => {
          const { lookbackDays, lookaheadDays, leaseMs } = container.get<SyncSettings>(TOKENS.SyncSettings);
          container.rebind(TOKENS.SyncSettings).toConstantValue({
            lookbackDays,
            lookaheadDays,
            leaseMs,
            transactionsInFlight: 2,
          } satisfies SyncSettings);
        },
      });
    });
    afterAll(() => e.stop());

    it('records every meeting of a calendar of three pages, then its changes', async () => {
      const me = 'pages@ourco.com';
      e.sandbox.addUser({ email: me, timeZone: 'Europe/Paris' });
      await request(e.t.app)
        .put('/api/accounts')
        .set(auth)
        .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
      const ids: string[] = [];
      // A last page of 300: large enough to be shared between the two transactions, the token after them.
      for (let i = 0; i < 2 * EVENTS_PAGE_SIZE + 300; i++) {
        const day = -1 - (i % 60);
        const hour = 6 + (i % 12);
        const event = e.sandbox.insertEvent(me, {
          summary: `Call ${i}`,
          start: { dateTime: at(day, hour, (i % 4) * 15) },
          end: { dateTime: at(day, hour, (i % 4) * 15 + 10) },
          attendees: [
            { email: me, self: true, responseStatus: 'accepted' },
            { email: `guest${i}@logo.com`, responseStatus: 'accepted' },
          ],
        });
        ids.push(event.id);
      }
      const count = async () =>
        Number((await e.t.db.dataSource.query(`SELECT count(*) AS n FROM interactions`))[0].n);
      const { memberId } = await e.signIn(me);
      await expect(e.sync(memberId)).resolves.toEqual({
        outcome: 'synced',
        full: true,
        pages: 3,
        events: 2 * EVENTS_PAGE_SIZE + 300,
      });
      expect(await count()).toBe(2 * EVENTS_PAGE_SIZE + 300);

      e.sandbox.cancelEvent(me, ids[0]!);
      e.sandbox.updateEvent(me, ids.at(-1)!, { summary: 'Renamed' });
      await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'synced', full: false });
      expect(await count()).toBe(2 * EVENTS_PAGE_SIZE + 299);
      expect(
        await e.t.db.dataSource.query(`SELECT title FROM meetings WHERE title = 'Renamed'`),
      ).toHaveLength(1);
    });
  },
);
