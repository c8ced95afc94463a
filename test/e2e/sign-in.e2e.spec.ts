import request from 'supertest';

import { SyncWorker } from '../../src/adapters/scheduler/sync-worker';
import { TOKENS } from '../../src/application/ports/tokens';
import { auth, startTestApp } from '../support/app';
import { databaseTargets, embeddedTarget, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

describe.each(databaseTargets())('member sign-in on $name', (target) => {
  let e: E2E;
  let n = 0;
  let me: string;

  beforeAll(async () => {
    e = await startE2E(target);
  });
  afterAll(() => e.stop());
  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    me = `Signer${++n}@OurCo.com`;
    e.sandbox.addUser({ email: me, timeZone: 'America/New_York' });
    e.sandbox.setConsentingUser(null);
  });

  /** Starts a sign-in and has the sandbox consent; returns the callback path and the browser that started. */
  async function consent(email: string) {
    const browser = request.agent(e.t.app);
    const start = await browser.get('/auth/google').expect(302);
    e.sandbox.setConsentingUser(email);
    const answer = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location')!);
    return {
      browser,
      path: `${callback.pathname}${callback.search}`,
      authorizeUrl: new URL(start.headers.location!),
    };
  }

  it('asks Google for offline, read-only calendar access with a state bound to the browser', async () => {
    const res = await request(e.t.app).get('/auth/google').expect(302);
    const url = new URL(res.headers.location!);
    expect(url.pathname).toBe('/google/o/oauth2/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/calendar.readonly');
    expect(url.searchParams.get('response_type')).toBe('code');
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(40);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('oauth_state='));
    expect(cookie).toContain(`oauth_state=${state}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('connects the member, signs them in, stores the tokens encrypted and asks for a full sync', async () => {
    const { browser, path } = await consent(me);
    const res = await browser.get(path).expect(302).expect('Location', '/profile');
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')).toMatch(/sid=.+HttpOnly/);

    const [row] = await e.t.db.dataSource.query<
      {
        email: string;
        status: string;
        time_zone: string;
        credentials: Buffer;
        sync_requested_at: Date | null;
      }[]
    >('SELECT email, status, time_zone, credentials, sync_requested_at FROM members');
    expect(row).toMatchObject({ email: me.toLowerCase(), status: 'active', time_zone: 'America/New_York' });
    expect(row!.sync_requested_at).not.toBeNull();
    const tokenCall = e.sandbox.requests.filter((r) => r.path.endsWith('/token')).at(-1);
    expect(tokenCall?.status).toBe(200);
    const stored = row!.credentials.toString('latin1');
    expect(stored).not.toMatch(/ya29|refresh|access/i);
    expect(row!.credentials.length).toBeGreaterThan(60);

    const profile = await browser.get('/profile').expect(200);
    expect(profile.text).toContain(me.toLowerCase());
    expect(profile.text).toContain('Connected');
  });

  it.each([
    ['a forged state', (path: string) => path.replace(/state=[^&]+/, 'state=forged')],
    ['no state', (path: string) => path.replace(/&?state=[^&]+/, '')],
    ['no code', (path: string) => path.replace(/code=[^&]+&?/, '')],
  ])('answers 400 to %s and connects no one', async (_case, tamper) => {
    const { browser, path } = await consent(me);
    await browser.get(tamper(path)).expect(400);
    expect(await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM members')).toEqual([{ n: 0 }]);
  });

  it('answers 400 to a state from another browser', async () => {
    const { path } = await consent(me);
    const res = await request(e.t.app).get(path).expect(400);
    expect(res.text).toContain('not started in this browser');
  });

  it('answers 400 to a replayed callback, even from the browser that holds the state', async () => {
    const browser = request.agent(e.t.app);
    const start = await browser.get('/auth/google').expect(302);
    const stateCookie = ([] as string[]).concat(start.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    e.sandbox.setConsentingUser(me);
    const answer = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location')!);
    const path = `${callback.pathname}${callback.search}`;
    await request(e.t.app).get(path).set('Cookie', stateCookie).expect(302);
    const again = await request(e.t.app).get(path).set('Cookie', stateCookie).expect(400);
    expect(again.text).toContain('already used or has expired');
  });

  it('starts a sign-in without writing to the database, and refuses a state it did not sign', async () => {
    e.sandbox.clearRequests();
    const before = await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM oauth_states');
    const start = await request(e.t.app).get('/auth/google').expect(302);
    expect(await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM oauth_states')).toEqual(before);
    const state = new URL(start.headers.location!).searchParams.get('state')!;
    const [nonce, expiry] = state.split('.');
    // Same shape, a later expiry, a signature of someone else's: refused before any code is exchanged.
    const forged = `${nonce}.${Number(expiry) + 3600}.${'A'.repeat(43)}`;
    const res = await request(e.t.app)
      .get(`/auth/google/callback?code=c&state=${forged}`)
      .set('Cookie', `oauth_state=${forged}`)
      .expect(400);
    expect(res.text).toContain('already used or has expired');
    expect(e.sandbox.requests.some((r) => r.path.endsWith('/token'))).toBe(false);
  });

  it.each([
    [500, 503],
    [503, 503],
  ])(
    'answers %i at the token endpoint with a %i page asking to try again, and stores nothing',
    async (google, ours) => {
      const { browser, path } = await consent(me);
      // The client tries a token request 4 times (google-auth-library's own retries): all of them fail.
      e.sandbox.injectFault({ status: google as 500 | 503, pathPattern: /^\/token$/, times: 4 });
      const res = await browser.get(path).expect(ours);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.headers['content-type']).toMatch(/html/);
      expect(await e.t.db.dataSource.query('SELECT count(*)::int AS n FROM members')).toEqual([{ n: 0 }]);
    },
  );

  it('answers 400 when the member declines consent', async () => {
    const browser = request.agent(e.t.app);
    const start = await browser.get('/auth/google').expect(302);
    e.sandbox.denyConsent(true);
    try {
      const answer = await fetch(start.headers.location!, { redirect: 'manual' });
      const callback = new URL(answer.headers.get('location')!);
      await browser.get(`${callback.pathname}${callback.search}`).expect(400);
    } finally {
      e.sandbox.denyConsent(false);
    }
  });

  it('shows a signed-out visitor how to connect, and ignores a forged session cookie', async () => {
    const page = await request(e.t.app).get('/profile').expect(200);
    expect(page.text).toContain('href="/auth/google"');
    const forged = await request(e.t.app)
      .get('/profile')
      .set(
        'Cookie',
        'sid=00000000-0000-4000-8000-000000000000.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      )
      .expect(200);
    expect(forged.text).toContain('Connect Google Calendar');
  });

  it('lets the sync worker pick up the requested sync: interactions appear without a manual sync', async () => {
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]);
    e.sandbox.insertEvent(me, {
      summary: 'Kickoff',
      start: { dateTime: at(-1, 16) },
      end: { dateTime: at(-1, 17) },
      attendees: [{ email: me }, { email: 'tess@logo.com' }],
    });
    const worker = e.t.container.get<SyncWorker>(TOKENS.SyncScheduler);
    expect(worker).toBeInstanceOf(SyncWorker);
    worker.start();
    try {
      const { browser, path } = await consent(me);
      await browser.get(path).expect(302);
      const deadline = Date.now() + 10_000;
      let interactions: unknown[] = [];
      while (interactions.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        interactions = (await request(e.t.app).get('/api/accounts/logo/interactions').set(auth)).body
          .interactions;
      }
      expect(interactions).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});

describe('cookies behind https', () => {
  it('marks the state cookie Secure when PUBLIC_URL is https', async () => {
    const e = await startE2E(embeddedTarget, { env: { PUBLIC_URL: 'https://calendar.example.com' } });
    try {
      const res = await request(e.t.app).get('/auth/google').expect(302);
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('oauth_state='));
      expect(cookie).toMatch(/; Secure/);
    } finally {
      await e.stop();
    }
  });
});

describe('sign-in starts per client address', () => {
  it('are limited to AUTH_RATE_LIMIT_PER_MINUTE, then answered 429 with a page', async () => {
    const t = await startTestApp(embeddedTarget, { env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 3; i++) await request(t.app).get('/auth/google').expect(302);
      const refused = await request(t.app).get('/auth/google').expect(429);
      expect(refused.headers['content-type']).toMatch(/html/);
      expect(refused.headers['ratelimit-policy']).toMatch(/q=3/);
      expect(refused.text).toContain('Too many sign-in attempts');
      // Only the starts are limited: the rest of the service answers as usual.
      await request(t.app).get('/profile').expect(200);
    } finally {
      await t.stop();
    }
  });
});
