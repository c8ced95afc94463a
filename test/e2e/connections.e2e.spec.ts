import request from 'supertest';

import { auth } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

describe.each(databaseTargets())('connections admin API and disconnect on $name', (target) => {
  let e: E2E;
  let n = 0;
  let me: string;
  let memberId: string;
  let agent: Awaited<ReturnType<E2E['signIn']>>['agent'];

  beforeAll(async () => {
    // An http PUBLIC_URL (supertest's agent sends no Secure cookie) that the sandbox is told to accept for watches.
    e = await startE2E(target, {
      env: { PUBLIC_URL: 'http://calendar.example.com' },
      sandbox: { httpWebhookHosts: ['calendar.example.com'] },
    });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
    me = `conn${++n}@ourco.com`;
    e.sandbox.addUser({ email: me });
    e.sandbox.insertEvent(me, {
      summary: 'Kept',
      start: { dateTime: at(-1, 9) },
      end: { dateTime: at(-1, 10) },
      attendees: [{ email: me }, { email: 'tess@logo.com' }],
    });
    ({ memberId, agent } = await e.signIn(me));
    await e.sync(memberId);
  });

  const connections = async () =>
    (await request(e.t.app).get('/api/connections').set(auth).expect(200)).body.connections as Record<
      string,
      unknown
    >[];
  const status = async () => (await connections()).find((c) => c.memberId === memberId)?.status;

  it('lists each connection with its health', async () => {
    expect(await connections()).toEqual([
      {
        memberId,
        email: me,
        status: 'active',
        via: 'oauth',
        channelExpiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastSyncAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastError: null,
      },
    ]);
    await request(e.t.app).get('/api/connections').expect(401);
  });

  it('queues a full resync with 202', async () => {
    await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
    await request(e.t.app).post(`/api/connections/${memberId}/resync`).set(auth).expect(202);
    const [row] = await e.t.db.dataSource.query<{ requested: boolean; full: boolean }[]>(
      'SELECT sync_requested_at IS NOT NULL AS requested, full_sync_requested AS full FROM members',
    );
    expect(row).toEqual({ requested: true, full: true });
  });

  it('reconnects with the stored grant: active, a new channel, a full sync', async () => {
    const [before] = e.sandbox.channels(me);
    await e.t.db.dataSource.query(`UPDATE members SET status = 'needs_reconnect', last_error = 'x'`);
    await request(e.t.app)
      .post(`/api/connections/${memberId}/reconnect`)
      .set(auth)
      .expect(200, { status: 'active' });
    const [after] = e.sandbox.channels(me);
    expect(after!.id).not.toBe(before!.id);
    expect(await connections()).toEqual([expect.objectContaining({ status: 'active', lastError: null })]);
  });

  it.each([
    [503, 'backendError', 503],
    [429, 'rateLimitExceeded', 503],
    [403, 'forbidden', 502],
  ] as const)(
    'answers a reconnect that Google refuses with %i (%s) with %i, changing nothing',
    async (google, reason, ours) => {
      await e.t.db.dataSource.query(`UPDATE members SET status = 'needs_reconnect', last_error = 'x'`);
      e.sandbox.injectFault({ status: google, reason, pathPattern: /calendars\/primary$/ });
      const res = await request(e.t.app)
        .post(`/api/connections/${memberId}/reconnect`)
        .set(auth)
        .expect(ours);
      if (ours === 503) expect(res.headers['retry-after']).toBe('30');
      expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(await status()).toBe('needs_reconnect');
    },
  );

  it('reconnects even when the channel does not open: active, full sync queued, the problem shown', async () => {
    await e.t.db.dataSource.query(
      `UPDATE members SET status = 'needs_reconnect', last_error = 'x', sync_requested_at = NULL`,
    );
    e.sandbox.injectFault({ status: 403, reason: 'forbidden', pathPattern: /events\/watch$/ });
    await request(e.t.app)
      .post(`/api/connections/${memberId}/reconnect`)
      .set(auth)
      .expect(200, { status: 'active' });
    const [row] = await e.t.db.dataSource.query<{ requested: boolean; full: boolean }[]>(
      'SELECT sync_requested_at IS NOT NULL AS requested, full_sync_requested AS full FROM members',
    );
    expect(row).toEqual({ requested: true, full: true });
    expect((await connections())[0]).toMatchObject({
      status: 'active',
      lastError: expect.stringMatching(/push channel/),
    });
  });

  it('answers 409 with an absolute connect URL when the member must consent again', async () => {
    e.sandbox.revokeGrant(me);
    await e.sync(memberId);
    expect(await status()).toBe('needs_reconnect');
    const res = await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth).expect(409);
    expect(res.body).toEqual({
      status: 'needs_reconnect',
      connectUrl: 'http://calendar.example.com/auth/google',
    });
    expect((await connections())[0]).toMatchObject({ lastError: expect.stringMatching(/reconnect/) });
  });

  it('disconnects: channel stopped, grant revoked, tokens deleted, interactions kept', async () => {
    e.sandbox.clearRequests();
    await request(e.t.app).delete(`/api/connections/${memberId}`).set(auth).expect(204);
    expect(await status()).toBe('disconnected');
    expect(e.sandbox.channels(me)).toEqual([]);
    expect(e.sandbox.requests.some((r) => r.path.endsWith('/revoke') && r.status === 200)).toBe(true);
    const [row] = await e.t.db.dataSource.query<{ credentials: Buffer | null }[]>(
      'SELECT credentials FROM members',
    );
    expect(row!.credentials).toBeNull();
    expect((await e.interactions('logo')).map((i) => i.title)).toEqual(['Kept']);
    await request(e.t.app).post(`/api/connections/${memberId}/resync`).set(auth).expect(409);
    await request(e.t.app).post(`/api/connections/${memberId}/reconnect`).set(auth).expect(409);
    await expect(e.sync(memberId)).resolves.toMatchObject({ outcome: 'skipped' });
  });

  it.each([
    ['00000000-0000-4000-8000-000000000000', 404],
    ['not-a-member', 400],
  ])('answers member %s with %i', async (id, status) => {
    await request(e.t.app).post(`/api/connections/${id}/resync`).set(auth).expect(status);
    await request(e.t.app).post(`/api/connections/${id}/reconnect`).set(auth).expect(status);
    await request(e.t.app).delete(`/api/connections/${id}`).set(auth).expect(status);
  });

  it('lets the member disconnect from My Profile, refusing a cross-site form without the token', async () => {
    await agent
      .post('/profile/disconnect')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({})
      .expect(403);
    // Neither Origin nor Referer (some browsers and proxies drop them): the session still needs its token.
    await agent.post('/profile/disconnect').type('form').send({}).expect(403);
    expect(await status()).toBe('active');
    const profile = await agent.get('/profile').expect(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(profile.text)![1]!;
    await agent
      .post('/profile/disconnect')
      .set('Origin', 'http://calendar.example.com')
      .type('form')
      .send({ csrf })
      .expect(303)
      .expect('Location', '/profile');
    expect(await status()).toBe('disconnected');
    const after = await agent.get('/profile').expect(200);
    expect(after.text).toContain('Disconnected');
    expect(after.text).toContain('Connect Google Calendar');
    await request(e.t.app).post('/profile/disconnect').expect(401);
  });
});
