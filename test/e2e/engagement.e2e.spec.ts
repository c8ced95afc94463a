import request from 'supertest';

import type { EngagementReadModel } from '../../src/application/ports/engagement-read-model.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { GetAccountEngagement } from '../../src/application/use-cases/get-account-engagement.use-case';
import { RefreshEngagement } from '../../src/application/use-cases/refresh-engagement.use-case';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

interface EngagementJson {
  accountId: string;
  name: string;
  domains: string[];
  lastMeetingAt: string | null;
  nextMeetingAt: string | null;
  lastMeeting: { startTime: string; title: string; private: boolean } | null;
  nextMeeting: { startTime: string; title: string; private: boolean } | null;
  meetings30d: number;
  meetings90d: number;
  weekly: { weekStart: string; meetings: number }[];
  topMembers: { email: string; meetings: number }[];
}
interface EngagementPageJson {
  accounts: EngagementJson[];
  total: number;
  nextCursor: string | null;
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** A Monday, 00:00 UTC: the test's own week arithmetic, independent of the service's. */
const A_MONDAY = Date.parse('1970-01-05T00:00:00Z');
const weekOf = (instant: string) =>
  new Date(A_MONDAY + Math.floor((Date.parse(instant) - A_MONDAY) / WEEK) * WEEK).toISOString().slice(0, 10);
const shift = (instant: string | number, ms: number) =>
  new Date(Date.parse(String(instant)) + ms).toISOString();

/**
 * The engagement figures (GET /api/engagement, GET /api/accounts/:id/engagement), from meetings that reach the
 * service as Google gives them. Weeks start Monday 00:00 UTC whatever the event's time zone; a meeting with two
 * members counts once; a member's declined copy and an attendee's decline count for nothing; a private meeting
 * counts without its title.
 */
describe.each(databaseTargets())('engagement on $name', (target) => {
  let e: E2E;
  const alex = 'alex@ourco.example';
  const sam = 'sam@ourco.example';
  /** Monday 00:00 UTC three weeks before this week's. */
  let boundary: string;
  let ev: Record<string, string>;

  beforeAll(async () => {
    e = await startE2E(target, { env: { SYNC_LOOKBACK_DAYS: '200', INTERNAL_DOMAINS: 'ourco.example' } });
  });
  afterAll(() => e.stop());

  beforeAll(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
        { id: 'globex', name: 'Globex', domains: ['globex.example'] },
        { id: 'initech', name: 'Initech', domains: ['initech.example'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([
        { email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' },
        { email: 'pat@logo.com', name: 'Pat Doe', accountId: 'logo' },
      ])
      .expect(200);
    e.sandbox.addUser({ email: alex, name: 'Alex Morgan' });
    e.sandbox.addUser({ email: sam, name: 'Sam Lee', timeZone: 'America/Los_Angeles' });

    const thisMonday = Date.parse(weekOf(new Date().toISOString()));
    boundary = new Date(thisMonday - 3 * WEEK).toISOString();
    const meeting = (start: string, minutes = 30) => ({
      start: { dateTime: start, timeZone: 'America/Los_Angeles' },
      end: { dateTime: shift(start, minutes * 60_000), timeZone: 'America/Los_Angeles' },
    });
    const tess = { email: 'tess@logo.com' };
    ev = {
      // Sunday 15:30 in Los Angeles is Sunday 23:30 UTC; the next one, 30 minutes after midnight UTC, is Sunday
      // 16:30 there: one local day, two UTC weeks.
      weekly: shift(boundary, -30 * 60_000),
      sync: shift(boundary, 30 * 60_000),
      qbr: at(-29, 10),
      review: at(-31, 10),
      roadmap: at(-89, 10),
      kickoff: at(-120, 10),
      planning: at(3, 9),
      acmeIntro: at(-100, 10),
      acmeKickoff: at(10, 15),
      initech: at(-5, 10),
    };
    e.sandbox.insertSharedEvent([alex, sam], {
      summary: 'Logo weekly',
      ...meeting(ev.weekly!),
      attendees: [{ email: alex }, { email: sam }, tess],
    });
    e.sandbox.insertEvent(alex, {
      summary: 'Logo sync',
      visibility: 'private',
      ...meeting(ev.sync!),
      attendees: [{ email: alex }, tess, { email: 'pat@logo.com', responseStatus: 'declined' }],
    });
    e.sandbox.insertEvent(alex, {
      summary: 'Logo QBR',
      ...meeting(ev.qbr!),
      attendees: [{ email: alex }, tess],
    });
    e.sandbox.insertEvent(alex, {
      summary: 'Logo review',
      ...meeting(ev.review!),
      attendees: [{ email: alex }, tess],
    });
    const roadmap = e.sandbox.insertSharedEvent([alex, sam], {
      summary: 'Logo roadmap',
      ...meeting(ev.roadmap!),
      attendees: [{ email: alex }, { email: sam }, tess],
    });
    e.sandbox.respond(sam, roadmap.id, 'declined');
    e.sandbox.insertEvent(alex, {
      summary: 'Logo kickoff',
      ...meeting(ev.kickoff!),
      attendees: [{ email: alex }, tess],
    });
    e.sandbox.insertEvent(alex, {
      summary: 'Logo planning',
      ...meeting(ev.planning!),
      attendees: [{ email: alex }, tess],
    });
    e.sandbox.insertEvent(sam, {
      summary: 'Acme intro',
      ...meeting(ev.acmeIntro!),
      attendees: [{ email: sam }, { email: 'bo@acme.io' }],
    });
    e.sandbox.insertEvent(alex, {
      summary: 'Acme kickoff',
      ...meeting(ev.acmeKickoff!),
      attendees: [{ email: alex }, { email: 'bo@acme.io' }],
    });
    // Initech's only attendee declined: no interaction, so Initech was never met.
    e.sandbox.insertEvent(alex, {
      summary: 'Initech pitch',
      ...meeting(ev.initech!),
      attendees: [{ email: alex }, { email: 'cfo@initech.example', responseStatus: 'declined' }],
    });
    for (const email of [alex, sam]) {
      const { memberId } = await e.signIn(email);
      await e.sync(memberId);
    }
  });

  const get = async <T>(url: string, status = 200) =>
    (await request(e.t.app).get(url).set(auth).expect(status)).body as T;
  const list = (query: string) => get<EngagementPageJson>(`/api/engagement?${query}`);
  const ids = (page: EngagementPageJson) => page.accounts.map((account) => account.accountId);

  it("gives one account's figures: last and next meeting, 30 and 90 days, UTC weeks, top members", async () => {
    const logo = await get<EngagementJson>('/api/accounts/logo/engagement?weeks=26&weeksAhead=8');
    expect(logo).toMatchObject({
      accountId: 'logo',
      name: 'Logo',
      domains: ['logo.com'],
      // The private meeting is the last one: its time counts, its title does not show.
      lastMeetingAt: ev.sync,
      lastMeeting: { startTime: ev.sync, title: '', private: true },
      nextMeetingAt: ev.planning,
      nextMeeting: { startTime: ev.planning, title: 'Logo planning', private: false },
      // weekly (twice: two members' copies, counted once), sync, QBR; then review and roadmap.
      meetings30d: 3,
      meetings90d: 5,
      // Sam declined the roadmap: their copy of it is no meeting of theirs.
      topMembers: [
        { email: alex, meetings: 6 },
        { email: sam, meetings: 1 },
      ],
    });
    expect(logo.weekly).toHaveLength(34);
    const thisWeek = weekOf(new Date().toISOString());
    expect(logo.weekly[25]!.weekStart).toBe(thisWeek);
    expect(
      logo.weekly.every(
        (week, i) =>
          i === 0 || Date.parse(week.weekStart) - Date.parse(logo.weekly[i - 1]!.weekStart) === WEEK,
      ),
    ).toBe(true);
    const expected = new Map<string, number>();
    for (const start of [ev.weekly, ev.sync, ev.qbr, ev.review, ev.roadmap, ev.kickoff, ev.planning]) {
      expected.set(weekOf(start!), (expected.get(weekOf(start!)) ?? 0) + 1);
    }
    expect(
      Object.fromEntries(logo.weekly.filter((w) => w.meetings > 0).map((w) => [w.weekStart, w.meetings])),
    ).toEqual(Object.fromEntries([...expected].filter(([week]) => week >= logo.weekly[0]!.weekStart)));
    // The two meetings on one Los Angeles Sunday fall in two UTC weeks.
    expect(weekOf(ev.weekly!)).not.toBe(weekOf(ev.sync!));
    expect(logo.weekly.find((w) => w.weekStart === boundary.slice(0, 10))!.meetings).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('gives a never-met account nulls and zeros, and an unknown one a 404', async () => {
    const initech = await get<EngagementJson>('/api/accounts/initech/engagement');
    expect(initech).toMatchObject({
      lastMeetingAt: null,
      nextMeetingAt: null,
      lastMeeting: null,
      nextMeeting: null,
      meetings30d: 0,
      meetings90d: 0,
      topMembers: [],
    });
    expect(initech.weekly).toHaveLength(12);
    expect(initech.weekly.every((week) => week.meetings === 0)).toBe(true);
    await get('/api/accounts/ghost/engagement', 404);
  });

  it('sorts every column both ways, never-met and unscheduled accounts at the documented end', async () => {
    const orders: Record<string, string[]> = {
      name: ['acme', 'globex', 'initech', 'logo'],
      '-name': ['logo', 'initech', 'globex', 'acme'],
      lastMeeting: ['globex', 'initech', 'acme', 'logo'],
      '-lastMeeting': ['logo', 'acme', 'initech', 'globex'],
      nextMeeting: ['logo', 'acme', 'globex', 'initech'],
      '-nextMeeting': ['initech', 'globex', 'acme', 'logo'],
      '-meetings30d': ['logo', 'initech', 'globex', 'acme'],
      meetings90d: ['acme', 'globex', 'initech', 'logo'],
      // No member ('') first; Acme's one past meeting is Sam's (the kickoff with Alex is still ahead).
      topMember: ['globex', 'initech', 'logo', 'acme'],
      '-topMember': ['acme', 'logo', 'initech', 'globex'],
    };
    for (const [sort, order] of Object.entries(orders)) {
      const whole = await list(`sort=${sort}`);
      expect({ sort, order: ids(whole), total: whole.total }).toEqual({ sort, order, total: 4 });
      // Page by page, one account at a time: the same order, each once.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: EngagementPageJson = await list(
          `sort=${sort}&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expect(page.total).toBe(4);
        paged.push(...ids(page));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect({ sort, paged }).toEqual({ sort, paged: order });
    }
    const acme = (await list('q=acme')).accounts[0]!;
    expect(acme.topMembers).toEqual([{ email: sam, meetings: 1 }]);
  });

  it('filters by name, id or domain and by when the account was last met', async () => {
    expect(ids(await list('q=LOGO.COM'))).toEqual(['logo']);
    expect(ids(await list('q=glob'))).toEqual(['globex']);
    expect(ids(await list('q=init'))).toEqual(['initech']);
    const nothing = await list(`q=${encodeURIComponent('%')}`);
    expect({ ids: ids(nothing), total: nothing.total, next: nothing.nextCursor }).toEqual({
      ids: [],
      total: 0,
      next: null,
    });
    const notMet60 = await list('notMetDays=60');
    expect({ ids: ids(notMet60), total: notMet60.total }).toEqual({
      ids: ['acme', 'globex', 'initech'],
      total: 3,
    });
    // Logo's last meeting was 21 to 28 days ago.
    expect(ids(await list('notMetDays=20'))).toEqual(['acme', 'globex', 'initech', 'logo']);
    expect(ids(await list('notMetDays=30'))).toEqual(['acme', 'globex', 'initech']);
    expect(ids(await list('neverMet=true&sort=-name'))).toEqual(['initech', 'globex']);
    expect(ids(await list('neverMet=true&q=acme'))).toEqual([]);
  });

  it('refuses what it cannot answer with a 400, naming the parameter', async () => {
    const first = await list('sort=lastMeeting&limit=1');
    const reasons = async (query: string) =>
      (await get<{ issues: { path: string[] }[] }>(`/api/engagement?${query}`, 400)).issues.map((issue) =>
        issue.path.join('.'),
      );
    expect(await reasons('sort=size')).toEqual(['sort']);
    expect(await reasons(`sort=name&cursor=${first.nextCursor}`)).toEqual(['cursor']);
    expect(await reasons('cursor=bm90LW91cnM')).toEqual(['cursor']);
    expect(await reasons('notMetDays=0')).toEqual(['notMetDays']);
    // Nothing reaches the database that it would refuse (a NUL byte, a count past its integers).
    expect(await reasons('q=a%00b')).toEqual(['q']);
    const overflow = Buffer.from(
      JSON.stringify({ sort: 'meetings30d', v: '9999999999', id: 'logo' }),
    ).toString('base64url');
    expect(await reasons(`sort=meetings30d&cursor=${overflow}`)).toEqual(['cursor']);
    expect(await reasons('neverMet=yes')).toEqual(['neverMet']);
    expect(await reasons('weeks=105')).toEqual(['weeks']);
    expect(await reasons('limit=1001')).toEqual(['limit']);
    await get('/api/accounts/logo/engagement?weeksAhead=27', 400);
    await request(e.t.app).get('/api/engagement').expect(401);
  });

  it("lists an account's contacts by when each was last met, a declined invitation not counting", async () => {
    const contacts = await e.t.container.get(GetAccountEngagement).contacts('logo', 10);
    expect(contacts).toEqual([
      { email: 'tess@logo.com', name: 'Tess Ter', lastMetAt: new Date(ev.sync!) },
      { email: 'pat@logo.com', name: 'Pat Doe', lastMetAt: null },
    ]);
  });

  // Last: it adds a meeting.
  it("keeps the list's figures per account, refreshed, and right between refreshes and as time passes", async () => {
    const readModel = e.t.container.get<EngagementReadModel>(TOKENS.EngagementReadModel);
    const everything = 'sort=name&weeks=4';
    const computed = await list(everything);
    expect(await e.t.container.get(RefreshEngagement).execute()).toEqual({ accounts: 2 });
    const kept = await e.t.db.dataSource.query<{ account_id: string }[]>(
      'SELECT account_id FROM account_engagement ORDER BY 1',
    );
    expect(kept.map((row) => row.account_id)).toEqual(['acme', 'logo']);
    expect(await list(everything)).toEqual(computed);
    expect(await e.t.container.get(RefreshEngagement).execute()).toEqual({ accounts: 0 });

    // A change shows at once, before any refresh: the trigger noted the account.
    const yesterday = at(-1, 11);
    e.sandbox.insertEvent(alex, {
      summary: 'Acme check-in',
      start: { dateTime: yesterday },
      end: { dateTime: shift(yesterday, 30 * 60_000) },
      attendees: [{ email: alex }, { email: 'bo@acme.io' }],
    });
    await e.sync((await e.signIn(alex)).memberId);
    const acme = async () => (await list('q=acme')).accounts[0]!;
    expect(await acme()).toMatchObject({ lastMeetingAt: yesterday, meetings30d: 1, meetings90d: 1 });
    expect(ids(await list('sort=-lastMeeting'))).toEqual(['acme', 'logo', 'initech', 'globex']);
    expect(await e.t.container.get(RefreshEngagement).execute()).toEqual({ accounts: 1 });
    expect(await acme()).toMatchObject({ lastMeetingAt: yesterday, meetings30d: 1, meetings90d: 1 });

    // Time alone changes figures (a meeting starts, or leaves a window): kept figures are past their validity then.
    const query = {
      limit: 10,
      sort: 'name' as const,
      direction: 'asc' as const,
      search: null,
      notMetDays: null,
      neverMet: false,
      weeks: 4,
      weeksAhead: 0,
      topMembers: 3,
      after: null,
    };
    for (const days of [2, 11, 40, 100]) {
      const later = new Date(Date.now() + days * DAY);
      const fromKept = await readModel.list({ ...query, now: later });
      await e.t.db.dataSource.query(
        'INSERT INTO engagement_dirty (account_id) SELECT DISTINCT account_id FROM interactions',
      );
      expect({ days, page: await readModel.list({ ...query, now: later }) }).toEqual({
        days,
        page: fromKept,
      });
      await readModel.refresh(new Date());
    }
    const inForty = await readModel.list({ ...query, now: new Date(Date.now() + 40 * DAY) });
    expect(inForty.items.find((item) => item.accountId === 'logo')).toMatchObject({ meetings30d: 0 });

    // A member's copy moving to another meeting (its event re-keyed) changes both meetings' members.
    await readModel.refresh(new Date());
    const meetingId = async (title: string) =>
      (
        await e.t.db.dataSource.query<{ id: string }[]>('SELECT id FROM meetings WHERE title = $1', [title])
      )[0]!.id;
    await e.t.db.dataSource.query(
      `UPDATE calendar_events SET meeting_id = $1
       WHERE meeting_id = $2 AND member_id = (SELECT id FROM members WHERE email = $3)`,
      [await meetingId('Acme intro'), await meetingId('Logo weekly'), alex],
    );
    const top = async (accountId: string) =>
      (await list(`q=${accountId}`)).accounts.find((a) => a.accountId === accountId)!.topMembers;
    expect(await top('logo')).toEqual([{ email: alex, meetings: 5 }]);
    // Alex now holds Acme's intro too, besides yesterday's check-in.
    expect(await top('acme')).toEqual([{ email: alex, meetings: 2 }]);
    await readModel.refresh(new Date());
    expect(await top('logo')).toEqual([{ email: alex, meetings: 5 }]);
    expect(await top('acme')).toEqual([{ email: alex, meetings: 2 }]);
  });
});
