import request from 'supertest';

import { auth } from '../support/app';
import { embeddedTarget, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

/** Admin pages are HTML for a browser; the browser suite clicks through them, this one checks access and content. */
describe('admin pages', () => {
  let e: E2E;
  const admin = 'boss@ourco.com';
  const member = 'rep@ourco.com';

  beforeAll(async () => {
    e = await startE2E(embeddedTarget, { env: { ADMIN_EMAILS: 'Boss@OurCo.com' } });
    e.sandbox.addUser({ email: admin });
    e.sandbox.addUser({ email: member });
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
        { id: 'a', name: 'A', domains: ['shared.com'] },
        { id: 'b', name: 'B', domains: ['shared.com'] },
      ]);
  });

  it('shows connections, an account timeline and unmatched meetings to an admin', async () => {
    e.sandbox.insertEvent(member, {
      summary: 'Renewal <call>',
      start: { dateTime: at(-1, 9) },
      end: { dateTime: at(-1, 9, 45) },
      attendees: [
        { email: member },
        { email: 'tess@logo.com', displayName: 'Tess Ter' },
        { email: 'x@shared.com' },
      ],
    });
    const rep = await e.signIn(member);
    await e.sync(rep.memberId);
    const { agent } = await e.signIn(admin);

    const connections = await agent.get('/admin').expect(200);
    expect(connections.text).toContain(member);
    expect(connections.text).toContain('Connected');

    const timeline = await agent.get('/admin/accounts/logo').expect(200);
    expect(timeline.text).toContain('Renewal &lt;call&gt;');
    expect(timeline.text).toContain('Tess Ter');
    expect(timeline.text).toContain('45 min');

    const unmatched = await agent.get('/admin/meetings').expect(200);
    expect(unmatched.text).toContain('Several accounts share the domain: a, b');
    expect(unmatched.text).toContain('x@shared.com');

    const accounts = await agent.get('/admin/accounts').expect(200);
    expect(accounts.text).toContain('href="/admin/accounts/logo"');
  });

  it('lets an admin resync a member with the form', async () => {
    const rep = await e.signIn(member);
    await e.t.db.dataSource.query('UPDATE members SET sync_requested_at = NULL');
    const { agent } = await e.signIn(admin);
    const page = await agent.get('/admin').expect(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await agent
      .post(`/admin/connections/${rep.memberId}/resync`)
      .set('Origin', 'http://localhost:3000')
      .type('form')
      .send({ csrf })
      .expect(303);
    expect(res.headers.location).toBe('/admin?notice=resync_queued');
    expect((await agent.get(res.headers.location!).expect(200)).text).toContain('Full resync queued.');
    const unknown = await agent
      .post('/admin/connections/not-a-member/resync')
      .set('Origin', 'http://localhost:3000')
      .type('form')
      .send({ csrf })
      .expect(303);
    expect(unknown.headers.location).toBe('/admin?notice=no_member');
    await agent
      .post(`/admin/connections/${rep.memberId}/resync`)
      .set('Origin', 'http://evil.example')
      .type('form')
      .send({})
      .expect(403);
  });

  it('refuses members who are not admins and sends visitors to sign in', async () => {
    const { agent } = await e.signIn(member);
    await agent.get('/admin').expect(403);
    await agent.get('/admin/accounts/logo').expect(403);
    await request(e.t.app).get('/admin').expect(302).expect('Location', '/profile');
  });

  it('shows only its own notices, never text from the URL, and answers bad ids and cursors with pages', async () => {
    const { agent } = await e.signIn(admin);
    const planted = await agent.get('/admin?notice=Your+account+is+locked%3A+call+%2B1-555').expect(200);
    expect(planted.text).not.toContain('locked');
    expect(planted.text).not.toContain('class="notice"');
    expect((await agent.get('/admin?notice=resync_queued').expect(200)).text).toContain(
      'Full resync queued.',
    );
    const malformed = await agent.get('/admin/accounts/%00nope').expect(400);
    expect(malformed.headers['content-type']).toMatch(/html/);
    expect((await agent.get('/admin/accounts/nope').expect(404)).text).toContain('No account');
    await agent.get('/admin/accounts?cursor=not-ours').expect(400);
  });

  it('signs out with the form of the page, and not without its token', async () => {
    const { agent } = await e.signIn(member);
    await agent.post('/auth/sign-out').type('form').send({}).expect(403);
    const csrf = /name="csrf" value="([^"]+)"/.exec((await agent.get('/profile')).text)![1]!;
    const res = await agent.post('/auth/sign-out').type('form').send({ csrf }).expect(303);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join()).toMatch(/sid=;/);
    expect((await agent.get('/profile')).text).toContain('Connect Google Calendar');
  });

  it('sends security headers', async () => {
    const res = await request(e.t.app).get('/profile').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
