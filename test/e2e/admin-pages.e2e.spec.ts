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
    e = await startE2E(embeddedTarget, {
      env: { ADMIN_EMAILS: 'Boss@OurCo.com' },
      delegation: { admin: null },
    });
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

  it('lets an admin add a webhook endpoint, shows its secret once, its health and attempts, and deletes it', async () => {
    const { agent } = await e.signIn(admin);
    const list = await agent.get('/admin/webhooks').expect(200);
    expect(list.text).toContain('No endpoint yet.');
    const csrf = /name="csrf" value="([^"]+)"/.exec(list.text)![1]!;
    const form = (fields: Record<string, string>) =>
      agent.post('/admin/webhooks').set('Origin', 'http://localhost:3000').type('form').send(fields);

    const refused = await form({ csrf, url: 'ftp://crm.example/hooks', description: '<b>CRM</b>' }).expect(
      400,
    );
    expect(refused.text).toContain('url must be an absolute http(s) URL');
    expect(refused.text).toContain('value="ftp://crm.example/hooks"');
    expect(refused.text).toContain('&lt;b&gt;CRM&lt;/b&gt;');
    await form({ url: 'https://crm.example/hooks' }).expect(403);
    expect((await request(e.t.app).get('/api/webhook-endpoints').set(auth)).body).toEqual({ endpoints: [] });

    const added = await form({ csrf, url: 'https://crm.example/hooks', description: 'CRM' }).expect(201);
    const secret = /value="(whsec_[^"]+)"/.exec(added.text)![1]!;
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(added.headers['cache-control']).toBe('no-store');

    const [endpoint] = (
      (await request(e.t.app).get('/api/webhook-endpoints').set(auth)).body as { endpoints: { id: string }[] }
    ).endpoints;
    await e.t.db.dataSource.query(
      `UPDATE webhook_endpoints SET failing_since = now() - interval '2 hours', last_error = 'HTTP 503'`,
    );
    const listed = await agent.get('/admin/webhooks').expect(200);
    expect(listed.text).toContain('https://crm.example/hooks');
    expect(listed.text).toContain('data-status="failing"');
    expect(listed.text).toContain('HTTP 503');
    expect(listed.text).not.toContain(secret);
    const detail = await agent.get(`/admin/webhooks/${endpoint!.id}`).expect(200);
    expect(detail.text).toContain('Nothing sent yet.');
    await agent.get('/admin/webhooks/not-an-id').expect(400);
    await agent.get('/admin/webhooks/00000000-0000-4000-8000-000000000000').expect(404);

    const deleted = await agent
      .post(`/admin/webhooks/${endpoint!.id}/delete`)
      .set('Origin', 'http://localhost:3000')
      .type('form')
      .send({ csrf })
      .expect(303);
    expect(deleted.headers.location).toBe('/admin/webhooks?notice=endpoint_deleted');
    expect((await agent.get(deleted.headers.location!)).text).toContain('Endpoint deleted');
    expect((await request(e.t.app).get('/api/webhook-endpoints').set(auth)).body).toEqual({ endpoints: [] });
  });

  it('lets an admin enrol team members with the form, and shows who came by delegation', async () => {
    const newHire = 'new.hire@ourco.com';
    e.sandbox.addUser({ email: newHire });
    const { agent } = await e.signIn(admin);
    const connections = await agent.get('/admin').expect(200);
    expect(connections.text).toContain('Enrol team');
    const csrf = /name="csrf" value="([^"]+)"/.exec(connections.text)![1]!;
    const form = (fields: Record<string, string>) =>
      agent.post('/admin/members').set('Origin', 'http://localhost:3000').type('form').send(fields);

    const both = await form({ csrf, emails: newHire, domain: 'ourco.com' }).expect(400);
    expect(both.text).toContain('give either &quot;emails&quot; or &quot;domain&quot;, not both');
    await form({ emails: newHire }).expect(403);

    const done = await form({ csrf, emails: `${newHire}\nnobody@ourco.com` }).expect(200);
    expect(done.text).toContain('1 enrolled, 1 refused by Google.');
    expect(done.text).toContain(newHire);
    expect(done.text).toMatch(/nobody@ourco.com: <span class="error">Google refused domain-wide delegation/);
    const after = await agent.get('/admin').expect(200);
    expect(after.text).toMatch(new RegExp(`${newHire}</td>\\s*<td data-via="delegation">Workspace admin`));
    expect(after.text).toMatch(/data-via="oauth">Signed in/);
  });

  it('refuses members who are not admins and sends visitors to sign in', async () => {
    const { agent } = await e.signIn(member);
    await agent.get('/admin').expect(403);
    await agent.get('/admin/accounts/logo').expect(403);
    await agent.get('/admin/webhooks').expect(403);
    await agent.post('/admin/members').type('form').send({ emails: member }).expect(403);
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
