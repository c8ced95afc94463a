import request from 'supertest';

import { TOKENS } from '../../src/application/ports/tokens';
import { CheckStoredCredentials } from '../../src/application/use-cases/check-stored-credentials.use-case';
import type { SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import { RECONNECT_REASON_TEXT } from '../../src/domain/member-connection';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, eventually, type InteractionJson, startE2E } from '../support/e2e';

/**
 * CONTRACT.md "Google's own signals" and "Google's terms for channels and errors", against a sandbox that behaves
 * as Google documents: granted TTLs below the asked one, refused watches, the sync message before the watch
 * answer, hidden guest lists, open-ended series, partly reported cancellations, event types, usage limits,
 * operator faults and granular consent.
 */
describe.each(databaseTargets())("Google's own signals on $name", (target) => {
  let e: E2E;
  let n = 0;
  let me: string;

  beforeAll(async () => {
    e = await startE2E(target, {
      listen: true,
      // Google grants one hour; the service renews what expires within a day (the default).
      sandbox: { maxChannelTtlSeconds: 3600 },
      env: { SYNC_LOOKAHEAD_DAYS: '30' },
    });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    e.sandbox.refuseWatch(null);
    e.sandbox.refuseClient(null);
    e.sandbox.disableCalendarApi(false);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: ['acme.io'] },
      ]);
    me = `signals${++n}@ourco.com`;
    e.sandbox.addUser({ email: me });
  });

  const member = async (email = me) =>
    (
      await e.t.db.dataSource.query<{ id: string; status: string; last_error: string | null }[]>(
        'SELECT id, status, last_error FROM members WHERE email = $1',
        [email],
      )
    )[0]!;
  const watches = () => e.sandbox.requests.filter((r) => r.path.endsWith('/events/watch'));
  const titles = (interactions: InteractionJson[]) => interactions.map((i) => i.title).sort();
  const timed = (days: number, hour: number, minutes = 30) => ({
    start: { dateTime: at(days, hour), timeZone: 'UTC' },
    end: { dateTime: at(days, hour, minutes), timeZone: 'UTC' },
  });

  describe('channels', () => {
    it('stores the expiry Google granted, and a renewal run makes one watch per member, then answers', async () => {
      const { memberId } = await e.signIn(me);
      const [channel] = await e.t.db.dataSource.query<{ expires_at: Date }[]>(
        'SELECT expires_at FROM channels WHERE member_id = $1 AND resource_id IS NOT NULL',
        [memberId],
      );
      expect(channel!.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
      // Granted an hour, due within a day: due again at once, and still renewed once per run.
      for (let run = 1; run <= 2; run++) {
        e.sandbox.clearRequests();
        const res = await request(e.t.app).post('/api/channels/renew').set(auth).expect(200);
        expect(res.body).toEqual({ renewed: 1, failed: 0 });
        expect(watches()).toHaveLength(1);
      }
    });

    it.each([
      [{ status: 401, reason: 'push.webhookUrlUnauthorized' }, /webhook address/],
      [{ status: 403, reason: 'forbidden' }, /Forbidden|refused/],
    ] as const)(
      'keeps a refused watch (%j) in lastError, tries it once per run, then pauses',
      async (refusal, error) => {
        const { memberId } = await e.signIn(me);
        e.sandbox.refuseWatch(refusal);
        e.sandbox.clearRequests();
        const first = await request(e.t.app).post('/api/channels/renew').set(auth).expect(200);
        expect(first.body).toEqual({ renewed: 0, failed: 1 });
        expect(watches()).toHaveLength(1);
        expect(await member()).toMatchObject({ status: 'active', last_error: expect.stringMatching(error) });
        // The next run right after leaves the member alone: a pause follows each failure, growing.
        e.sandbox.clearRequests();
        await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 0, failed: 0 });
        expect(watches()).toHaveLength(0);
        const [pause] = await e.t.db.dataSource.query<{ seconds: number; failures: number }[]>(
          `SELECT extract(epoch FROM channel_claimed_until - now())::int AS seconds, channel_failures AS failures
           FROM members WHERE id = $1`,
          [memberId],
        );
        expect(pause).toMatchObject({ failures: 1 });
        expect(pause!.seconds).toBeGreaterThan(500);
        // Once the pause is over (the database clock moved on) and Google accepts again, it is renewed.
        e.sandbox.refuseWatch(null);
        await e.t.db.dataSource.query(
          `UPDATE members SET channel_claimed_until = now() - interval '1 second'`,
        );
        await request(e.t.app).post('/api/channels/renew').set(auth).expect(200, { renewed: 1, failed: 0 });
        expect(await e.t.db.dataSource.query('SELECT channel_failures AS f FROM members')).toEqual([
          { f: 0 },
        ]);
        if (refusal.status === 401) {
          const logged = e.t.logger.entries.filter((entry) => entry.level === 'error');
          expect(logged.map((entry) => entry.message)).toContain('Google refused this service’s setup');
        }
      },
    );

    it("answers 200 to a channel's sync message that comes before Google answers the watch", async () => {
      const { memberId } = await e.signIn(me);
      const [channel] = await e.t.db.dataSource.query<{ id: string }[]>(
        'SELECT id FROM channels WHERE member_id = $1 AND stopped_at IS NULL',
        [memberId],
      );
      const sync = e.sandbox.pushResults.find(
        (p) => p.channelId === channel!.id && p.resourceState === 'sync',
      );
      expect(sync).toMatchObject({ status: 200, messageNumber: 1 });
    });
  });

  describe('meetings', () => {
    it('records only default events: out of office, focus time and working location are no meetings', async () => {
      for (const eventType of ['outOfOffice', 'focusTime', 'workingLocation'] as const) {
        e.sandbox.insertEvent(me, {
          summary: eventType,
          eventType,
          ...timed(-1, 9),
          attendees: [{ email: me }, { email: 'tess@logo.com' }],
        });
      }
      e.sandbox.insertEvent(me, {
        summary: 'QBR',
        ...timed(-1, 14),
        attendees: [{ email: me }, { email: 'tess@logo.com' }],
      });
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      expect(titles(await e.interactions('logo'))).toEqual(['QBR']);
    });

    it('withholds the title of a private or confidential meeting, and says it is private', async () => {
      e.sandbox.insertEvent(me, {
        summary: 'Acquisition talks',
        visibility: 'private',
        ...timed(-1, 9),
        attendees: [{ email: me }, { email: 'tess@logo.com' }],
      });
      e.sandbox.insertEvent(me, {
        summary: 'Secret',
        visibility: 'confidential',
        ...timed(-1, 11),
        attendees: [{ email: me }, { email: 'cfo@nowhere.example' }],
      });
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      expect(await e.interactions('logo')).toEqual([
        expect.objectContaining({ title: '', private: true, durationMinutes: 30 }),
      ]);
      const unmatched = await request(e.t.app).get('/api/meetings?matched=false').set(auth).expect(200);
      expect(unmatched.body.meetings).toEqual([expect.objectContaining({ title: '', private: true })]);
      expect(JSON.stringify(unmatched.body)).not.toContain('Secret');
    });

    it('leaves out a meeting the member declined, and declined customers', async () => {
      const declined = e.sandbox.insertEvent(me, {
        summary: 'Declined by me',
        ...timed(-1, 9),
        attendees: [{ email: me, responseStatus: 'declined' }, { email: 'tess@logo.com' }],
      });
      e.sandbox.insertEvent(me, {
        summary: 'Acme came, Logo declined',
        ...timed(-1, 11),
        attendees: [
          { email: me, responseStatus: 'accepted' },
          { email: 'tess@logo.com', responseStatus: 'declined' },
          { email: 'wile@acme.io', responseStatus: 'needsAction' },
        ],
      });
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      expect(await e.interactions('logo')).toEqual([]);
      const [acme] = await e.interactions('acme');
      expect(acme!.participants).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ email: 'tess@logo.com', minutesInMeeting: 0, accountId: null }),
          expect.objectContaining({ email: 'wile@acme.io', minutesInMeeting: 30, accountId: 'acme' }),
        ]),
      );
      // Accepting later makes it a meeting.
      e.sandbox.respond(me, declined.id, 'accepted');
      await e.sync(memberId);
      expect(titles(await e.interactions('logo'))).toEqual(['Declined by me']);
    });

    it("records a meeting while one member's copy is not declined", async () => {
      const other = `other${n}@ourco.com`;
      e.sandbox.addUser({ email: other });
      const event = e.sandbox.insertSharedEvent([me, other], {
        summary: 'Joint QBR',
        ...timed(-1, 9),
        attendees: [{ email: me }, { email: other }, { email: 'tess@logo.com' }],
      });
      const mine = await e.signIn(me);
      const theirs = await e.signIn(other);
      await e.sync(mine.memberId);
      await e.sync(theirs.memberId);
      e.sandbox.respond(me, event.id, 'declined');
      await e.sync(mine.memberId);
      expect(titles(await e.interactions('logo'))).toEqual(['Joint QBR']);
      e.sandbox.respond(other, event.id, 'declined');
      await e.sync(theirs.memberId);
      expect(await e.interactions('logo')).toEqual([]);
    });

    it('never lets a guest copy that hides the guest list shrink the attendees', async () => {
      const organizer = `organizer${n}@ourco.com`;
      e.sandbox.addUser({ email: organizer });
      const event = e.sandbox.insertSharedEvent([organizer, me], {
        summary: 'Board review',
        ...timed(-1, 9),
        organizer: { email: organizer },
        guestsCanSeeOtherGuests: false,
        attendees: [
          { email: organizer },
          { email: me },
          { email: 'tess@logo.com' },
          { email: 'wile@acme.io' },
        ],
      });
      const org = await e.signIn(organizer);
      const guest = await e.signIn(me);
      await e.sync(org.memberId);
      await e.sync(guest.memberId);
      // The guest answers: their copy, listing only themselves, is now the newest one.
      e.sandbox.respond(me, event.id, 'accepted');
      await e.sync(guest.memberId);
      expect(titles(await e.interactions('logo'))).toEqual(['Board review']);
      expect(titles(await e.interactions('acme'))).toEqual(['Board review']);
      const [logo] = await e.interactions('logo');
      expect(logo!.participants.map((p) => p.email).sort()).toEqual(
        [organizer, me, 'tess@logo.com', 'wile@acme.io'].sort(),
      );
    });

    it('takes a hidden-guest copy only while no complete copy is known', async () => {
      const organizer = `outsider${n}@partner.example`;
      e.sandbox.addUser({ email: organizer });
      e.sandbox.insertSharedEvent([organizer, me], {
        summary: 'Partner call',
        ...timed(-1, 9),
        organizer: { email: organizer },
        guestsCanSeeOtherGuests: false,
        attendees: [{ email: organizer }, { email: me }, { email: 'tess@logo.com' }],
      });
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      // Only the guest's own entry is visible: no customer to match, but the meeting is known.
      expect(await e.interactions('logo')).toEqual([]);
      const [row] = await e.t.db.dataSource.query<{ omitted: boolean }[]>(
        'SELECT attendees_omitted AS omitted FROM meetings',
      );
      expect(row).toEqual({ omitted: true });
    });

    it('records an open-ended series inside the window only, and removes all of it when cancelled', async () => {
      const series = e.sandbox.insertEvent(me, {
        summary: 'Weekly with Logo',
        start: { dateTime: at(-20, 10), timeZone: 'UTC' },
        end: { dateTime: at(-20, 10, 30), timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=WEEKLY'],
        attendees: [{ email: me }, { email: 'tess@logo.com' }],
      });
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      const weekly = await e.interactions('logo', '?limit=1000');
      const latest = Math.max(...weekly.map((i) => Date.parse(i.startTime)));
      // SYNC_LOOKAHEAD_DAYS=30 here: 3 weeks back, about 4 ahead, never years of them.
      expect(weekly.length).toBeGreaterThanOrEqual(7);
      expect(weekly.length).toBeLessThanOrEqual(8);
      expect(latest).toBeLessThan(Date.now() + 30 * 86_400_000);
      // Google lists the series' tombstone and only some cancelled occurrences: every one goes.
      e.sandbox.cancelEvent(me, series.id);
      await e.sync(memberId);
      expect(await e.interactions('logo')).toEqual([]);
    });
  });

  describe('errors by their kind', () => {
    it('pauses a calendar for 15 minutes on Google usage limits, instead of quick retries', async () => {
      const { memberId } = await e.signIn(me);
      await e.sync(memberId);
      e.sandbox.injectFault({ status: 403, reason: 'quotaExceeded', pathPattern: /\/events$/ });
      e.sandbox.clearRequests();
      await e.t.db.dataSource.query(`UPDATE members SET sync_requested_at = now(), next_sync_at = NULL`);
      const worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
      worker.start();
      try {
        const pause = await eventually(async () => {
          const rows = await e.t.db.dataSource.query<{ minutes: number }[]>(
            `SELECT (extract(epoch FROM next_sync_at - now()) / 60)::float AS minutes FROM members
             WHERE id = $1 AND sync_failures > 0`,
            [memberId],
          );
          return rows[0];
        });
        expect(pause!.minutes).toBeGreaterThan(14.5);
      } finally {
        await worker.stop();
      }
      expect(e.sandbox.requests.filter((r) => r.path.endsWith('/events'))).toHaveLength(1);
      expect(await member()).toMatchObject({
        status: 'active',
        last_error: expect.stringMatching(/usage limits/),
      });
    });

    it('makes a member whose grant lacks the calendar scope needs_reconnect, saying so', async () => {
      const { memberId } = await e.signIn(me);
      e.sandbox.injectFault({ status: 403, reason: 'insufficientPermissions', pathPattern: /\/events$/ });
      await expect(e.sync(memberId)).resolves.toEqual({ outcome: 'needs_reconnect' });
      expect(await member()).toMatchObject({
        status: 'needs_reconnect',
        last_error: RECONNECT_REASON_TEXT.insufficient_scope,
      });
    });

    it('leaves members active when the Calendar API is not enabled: an operator fault, named and logged', async () => {
      const { memberId } = await e.signIn(me);
      e.sandbox.disableCalendarApi(true);
      await expect(e.sync(memberId)).rejects.toThrow(/not enabled/);
      expect(await member()).toMatchObject({
        status: 'active',
        last_error: expect.stringMatching(/not enabled/),
      });
      expect(e.t.logger.entries.some((entry) => entry.level === 'error')).toBe(true);
      const reconnect = await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth);
      expect(reconnect.status).toBe(502);
      expect((await member()).status).toBe('active');
    });

    it('leaves members active when Google refuses our OAuth client, and a reconnect changes nothing', async () => {
      const { memberId } = await e.signIn(me);
      e.sandbox.expireAccessTokens(me);
      e.sandbox.refuseClient('invalid_client');
      await expect(e.sync(memberId)).rejects.toThrow(/invalid_client/);
      expect(await member()).toMatchObject({
        status: 'active',
        last_error: expect.stringMatching(/OAuth client \(invalid_client\)/),
      });
      await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth).expect(502);
      expect((await member()).status).toBe('active');
      e.sandbox.refuseClient(null);
      await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'synced' });
      expect((await member()).last_error).toBeNull();
    });
  });

  it('stores nothing for a consent that does not grant calendar access, and asks for it', async () => {
    e.sandbox.setGrantedScopes(me, ['openid']);
    try {
      const agent = request.agent(e.t.app);
      const start = await agent.get('/auth/google').expect(302);
      e.sandbox.setConsentingUser(me);
      const consent = await fetch(start.headers.location!, { redirect: 'manual' });
      const callback = new URL(consent.headers.get('location')!);
      const res = await agent.get(`${callback.pathname}${callback.search}`).expect(400);
      expect(res.text).toContain('calendar access');
      expect(await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM members')).toEqual([{ n: 0 }]);
    } finally {
      e.sandbox.setGrantedScopes(me, null);
    }
  });

  it('checks stored credentials at start without touching members that are fine', async () => {
    await e.signIn(me);
    await expect(e.t.container.get(CheckStoredCredentials).execute()).resolves.toEqual({
      unreadable: 0,
      undelegated: 0,
    });
  });
});
