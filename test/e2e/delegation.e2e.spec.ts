import request from 'supertest';

import type { SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import { TOKENS } from '../../src/application/ports/tokens';
import { SyncWorkspaceDirectory } from '../../src/application/use-cases/sync-workspace-directory.use-case';
import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, eventually, startE2E } from '../support/e2e';

const ADMIN = 'boss@ourco.com';
const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';

interface ConnectionJson {
  memberId: string;
  email: string;
  status: string;
  via: string;
  lastError: string | null;
  channelExpiresAt: string | null;
}

/** CONTRACT.md "Team rollout": enrolment through domain-wide delegation, through the real clients. */
describe.each(databaseTargets())('team rollout through domain-wide delegation on $name', (target) => {
  let e: E2E;
  let n = 0;
  let domain: string;
  const user = (name: string) => `${name}@${domain}`;

  beforeAll(async () => {
    // Pages of two users: a small directory spans several pages.
    e = await startE2E(target, {
      listen: true,
      delegation: { admin: null },
      sandbox: { directoryPageSize: 2 },
    });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }])
      .expect(200);
    // A domain of its own per test: the sandbox's directory outlives the database reset.
    domain = `team${++n}.example`;
    e.sandbox.addUser({ email: user('boss'), isAdmin: true });
    for (const name of ['ada', 'bob', 'cy', 'dee']) e.sandbox.addUser({ email: user(name) });
    e.sandbox.delegate();
  });

  const enrol = (body: object, status = 200) =>
    request(e.t.app).post('/api/members').set(auth).send(body).expect(status);
  const connections = async () =>
    (
      (await request(e.t.app).get('/api/connections').set(auth).expect(200)).body as {
        connections: ConnectionJson[];
      }
    ).connections;
  const connection = async (email: string) => (await connections()).find((c) => c.email === email);

  it('enrols members by email without their consent, opens their channels, and records their meetings from pushes', async () => {
    e.sandbox.clearRequests();
    const res = await enrol({ emails: [user('ada'), user('BOB'), user('nobody')] });
    const outcome = res.body as { enrolled: { email: string }[]; failed: unknown[] };
    expect(outcome.enrolled.map((m) => m.email)).toEqual([user('ada'), user('bob')]);
    expect(outcome.failed).toEqual([
      { email: user('nobody'), reason: expect.stringMatching(/delegation.*Invalid email or User ID/) },
    ]);
    const ada = (await connection(user('ada')))!;
    expect(ada).toMatchObject({ status: 'active', via: 'delegation', lastError: null });
    expect(ada.channelExpiresAt).not.toBeNull();
    expect(e.sandbox.channels(user('ada'))).toHaveLength(1);
    // No consent screen was involved, and no refresh token exists anywhere.
    expect(e.sandbox.requests.some((r) => r.path.includes('/o/oauth2/v2/auth'))).toBe(false);
    const [row] = await e.t.db.dataSource.query<{ credentials: unknown }[]>(
      'SELECT credentials FROM members WHERE email = $1',
      [user('ada')],
    );
    expect(row!.credentials).toBeNull();

    const worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
    worker.start();
    e.sandbox.autoPush(true);
    try {
      e.sandbox.insertEvent(user('ada'), {
        summary: 'QBR',
        start: { dateTime: at(-1, 9) },
        end: { dateTime: at(-1, 10) },
        attendees: [{ email: user('ada') }, { email: 'tess@logo.com' }],
      });
      await eventually(async () => (await e.interactions('logo')).some((i) => i.title === 'QBR'), 15_000);
    } finally {
      e.sandbox.autoPush(false);
      await worker.stop();
    }

    // Enrolling them again changes nothing for them.
    const again = await enrol({ emails: [user('ada')] });
    expect(again.body).toEqual({ enrolled: [{ memberId: ada.memberId, email: user('ada') }], failed: [] });
    expect(e.sandbox.channels(user('ada'))).toHaveLength(1);
  });

  it('refuses bodies that are not exactly one of the two shapes, and non-emails, writing nothing', async () => {
    for (const body of [
      {},
      { emails: [] },
      { emails: [user('ada')], domain },
      { emails: [user('ada'), 'not an email'] },
      { emails: user('ada') },
      { domain: 'not a domain' },
      { domain, extra: true },
      [user('ada')],
    ]) {
      const res = await enrol(body, 400);
      expect(res.body.error).toBe('validation_failed');
    }
    expect(await connections()).toEqual([]);
  });

  it('turns members needs_reconnect when the delegation is withdrawn, and an admin reconnects them once it is back', async () => {
    const {
      body: { enrolled },
    } = await enrol({ emails: [user('ada')] });
    const { memberId } = enrolled[0] as { memberId: string };
    await e.sync(memberId);
    e.sandbox.delegate(null);
    // A token Google gave lives its hour: the withdrawal is seen when the next one is asked for.
    e.sandbox.expireAccessTokens(user('ada'));
    await e.sync(memberId);
    expect(await connection(user('ada'))).toMatchObject({
      status: 'needs_reconnect',
      via: 'delegation',
      lastError: expect.stringMatching(/domain-wide delegation/),
    });
    await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth).expect(409);
    e.sandbox.delegate([CALENDAR_SCOPE]);
    await request(e.t.app)
      .post(`/api/connections/${memberId}/reconnect`)
      .set(auth)
      .expect(200, { status: 'active' });
    expect(await connection(user('ada'))).toMatchObject({ status: 'active', lastError: null });
  });

  it('lets an enrolled member open My Profile by signing in, and keeps them connected by delegation', async () => {
    await enrol({ emails: [user('ada')] });
    e.sandbox.clearRequests();
    const { agent } = await e.signIn(user('ada'));
    const profile = await agent.get('/profile').expect(200);
    expect(profile.text).toContain('Connected by your Workspace admin');
    expect(await connection(user('ada'))).toMatchObject({ status: 'active', via: 'delegation' });
    // The grant of the sign-in is not kept: it is given back to Google.
    expect(e.sandbox.requests.filter((r) => r.path === '/revoke')).toHaveLength(1);
  });

  it("renews a delegated member's channel like anyone's, with a token of the delegation", async () => {
    await enrol({ emails: [user('ada')] });
    const [before] = e.sandbox.channels(user('ada'));
    await e.t.db.dataSource.query(
      `UPDATE channels SET expires_at = now() + interval '1 hour' WHERE stopped_at IS NULL`,
    );
    e.sandbox.expireAccessTokens(user('ada'));
    const renewed = await request(e.t.app).post('/api/channels/renew').set(auth).expect(200);
    expect(renewed.body).toEqual({ renewed: 1, failed: 0 });
    const after = e.sandbox.channels(user('ada'));
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before!.id);
  });

  it('disconnects a delegated member at once, stopping their channel, and keeps their interactions', async () => {
    const {
      body: { enrolled },
    } = await enrol({ emails: [user('ada')] });
    const { memberId } = enrolled[0] as { memberId: string };
    e.sandbox.insertEvent(user('ada'), {
      summary: 'Kept',
      start: { dateTime: at(-2, 9) },
      end: { dateTime: at(-2, 10) },
      attendees: [{ email: user('ada') }, { email: 'tess@logo.com' }],
    });
    await e.sync(memberId);
    await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
    expect(await connection(user('ada'))).toMatchObject({ status: 'disconnected', via: 'delegation' });
    expect(e.sandbox.channels(user('ada'))).toHaveLength(0);
    expect((await e.interactions('logo')).map((i) => i.title)).toEqual(['Kept']);
  });

  describe('with the directory read as a Workspace admin', () => {
    let withAdmin: E2E;
    beforeAll(async () => {
      withAdmin = await startE2E(target, { delegation: { admin: ADMIN }, sandbox: { directoryPageSize: 2 } });
      withAdmin.sandbox.addUser({ email: ADMIN, isAdmin: true });
    });
    afterAll(() => withAdmin.stop());

    it('enrols the active users of a domain across directory pages, and the job follows the directory', async () => {
      const s = withAdmin.sandbox;
      for (const name of ['ada', 'bob', 'cy', 'dee', 'eve']) s.addUser({ email: `${name}@ourco.com` });
      s.suspendUser('cy@ourco.com');
      const enrolled = await request(withAdmin.t.app)
        .post('/api/members')
        .set(auth)
        .send({ domain: 'ourco.com' })
        .expect(200);
      const emails = ['ada', 'bob', 'boss', 'dee', 'eve'].map((name) => `${name}@ourco.com`);
      expect((enrolled.body.enrolled as { email: string }[]).map((m) => m.email)).toEqual(emails);
      expect(enrolled.body.failed).toEqual([]);
      // The directory was read page by page: three pages of at most two users.
      const pages = s.requests.filter((r) => r.path === '/admin/directory/v1/users');
      expect(pages.map((r) => r.status)).toEqual([200, 200, 200]);

      // A new hire, one suspended, one deleted; the nightly job follows.
      s.addUser({ email: 'fay@ourco.com' });
      s.suspendUser('bob@ourco.com');
      s.deleteUser('dee@ourco.com');
      s.suspendUser('cy@ourco.com', false);
      const job = withAdmin.t.container.get(SyncWorkspaceDirectory);
      expect(await job.execute()).toEqual({ enrolled: 2, disconnected: 2, failed: 0 });
      const list = (
        (await request(withAdmin.t.app).get('/api/connections').set(auth).expect(200)).body as {
          connections: ConnectionJson[];
        }
      ).connections;
      const state = Object.fromEntries(list.map((c) => [c.email.split('@')[0], [c.status, c.lastError]]));
      expect(state).toEqual({
        ada: ['active', null],
        boss: ['active', null],
        bob: ['disconnected', 'Suspended or deleted in the Workspace directory'],
        cy: ['active', null],
        dee: ['disconnected', 'Suspended or deleted in the Workspace directory'],
        eve: ['active', null],
        fay: ['active', null],
      });
      // Back in the directory, back in the service; a second run with nothing new changes nothing.
      s.suspendUser('bob@ourco.com', false);
      expect(await job.execute()).toEqual({ enrolled: 1, disconnected: 0, failed: 0 });
      expect(await job.execute()).toEqual({ enrolled: 0, disconnected: 0, failed: 0 });

      // Neither the private key nor a signed assertion ever reaches a log line.
      const logged = JSON.stringify(withAdmin.t.logger.entries);
      const pem = s.serviceAccountKey().private_key;
      expect(logged).not.toContain('PRIVATE KEY');
      expect(logged).not.toContain(pem.split('\n')[5]);
      expect(logged).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    });

    it('changes nothing on a directory it cannot read whole, and leaves members who signed in themselves alone', async () => {
      const s = withAdmin.sandbox;
      for (const name of ['gil', 'hal']) s.addUser({ email: `${name}@ourco.com` });
      // Hal signed in himself before the team was enrolled: his own grant is how he stays connected.
      await withAdmin.signIn('hal@ourco.com');
      await request(withAdmin.t.app).post('/api/members').set(auth).send({ domain: 'ourco.com' }).expect(200);
      s.suspendUser('gil@ourco.com');
      s.deleteUser('hal@ourco.com');
      s.injectFault({ status: 503, pathPattern: /\/admin\/directory\// });
      const job = withAdmin.t.container.get(SyncWorkspaceDirectory);
      expect(await job.execute()).toEqual({ enrolled: 0, disconnected: 0, failed: 0 });
      const status = async (email: string) =>
        (
          (await request(withAdmin.t.app).get('/api/connections').set(auth)).body as {
            connections: ConnectionJson[];
          }
        ).connections.find((c) => c.email === email)?.status;
      expect(await status('gil@ourco.com')).toBe('active');
      expect((await job.execute()).disconnected).toBe(1);
      expect(await status('gil@ourco.com')).toBe('disconnected');
      expect(await status('hal@ourco.com')).toBe('active');
    });

    it('answers a domain Google does not know with 404, and a directory Google refuses with 502', async () => {
      await request(withAdmin.t.app)
        .post('/api/members')
        .set(auth)
        .send({ domain: 'nowhere.example' })
        .expect(404);
      withAdmin.sandbox.delegate(['https://www.googleapis.com/auth/calendar.readonly']);
      // The admin's token of the first call lives its hour; past it, the narrowed delegation shows.
      withAdmin.sandbox.expireAccessTokens(ADMIN);
      const refused = await request(withAdmin.t.app)
        .post('/api/members')
        .set(auth)
        .send({ domain: 'ourco.com' })
        .expect(502);
      expect(refused.body.error).toBe('delegation_refused');
      withAdmin.sandbox.delegate();
    });
  });
});

describe('team rollout without GOOGLE_SERVICE_ACCOUNT_KEY', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E(databaseTargets()[0]!);
  });
  afterAll(() => e.stop());

  it('answers 409 saying delegation is not configured, and 400 to a malformed body', async () => {
    const res = await request(e.t.app)
      .post('/api/members')
      .set(auth)
      .send({ emails: ['ada@ourco.com'] })
      .expect(409);
    expect(res.body).toEqual({
      error: 'delegation_not_configured',
      message: expect.stringMatching(/GOOGLE_SERVICE_ACCOUNT_KEY/),
    });
    await request(e.t.app).post('/api/members').set(auth).send({ emails: 'x' }).expect(400);
  });
});
