import {
  ADA,
  calendarClient,
  connect,
  consent,
  failure,
  GRACE,
  type OAuthErrorBody,
  type Harness,
  minutes,
  oauthClient,
  REDIRECT_URI,
  SCOPE,
  startSandbox,
} from './harness';

describe('sandbox OAuth', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startSandbox();
  });
  afterEach(() => h.stop());

  async function postToken(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${h.base}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const clientFields = () => ({ client_id: h.sandbox.clientId, client_secret: h.sandbox.clientSecret });

  describe('authorization endpoint', () => {
    it('redirects a consenting user at once with a code, echoing the state verbatim', async () => {
      const state = 'a b&c=d/é?';
      const query = await consent(h, oauthClient(h), { email: ADA, state });
      expect(query.get('code')).toMatch(/^4\/0/);
      expect(query.get('state')).toBe(state);
      expect(query.get('scope')).toBe(SCOPE);
    });

    it('leaves state out of the redirect when the request had none', async () => {
      const query = await consent(h, oauthClient(h), { email: ADA });
      expect(query.has('code')).toBe(true);
      expect(query.has('state')).toBe(false);
    });

    it('redirects with error=access_denied while consent is denied', async () => {
      h.sandbox.denyConsent(true);
      const url = oauthClient(h).generateAuthUrl({ scope: SCOPE, state: 'xyz' });
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location')!);
      expect(res.status).toBe(302);
      expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'access_denied', state: 'xyz' });
    });

    it('serves an accessible consent page whose relative form approves as the chosen user', async () => {
      // Mounted under a path: the form's relative action must still reach the sandbox.
      const mounted = await startSandbox({}, '/google');
      try {
        await approveThroughConsentPage(mounted);
      } finally {
        await mounted.stop();
      }
    });

    async function approveThroughConsentPage(h: Harness): Promise<void> {
      const client = oauthClient(h);
      const pageUrl = client.generateAuthUrl({ access_type: 'offline', scope: SCOPE, state: 's1' });
      const page = await fetch(pageUrl);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('<html lang="en">');
      expect(html).toContain(`<button type="submit" name="email" value="${ADA}">`);
      expect(html).toContain(`<button type="submit" name="email" value="${GRACE}">`);

      const action = /<form method="post" action="([^"]+)">/.exec(html)![1]!;
      const target = new URL(action, pageUrl);
      expect(target.href).toBe(`${h.base}/o/oauth2/v2/auth/approve`);
      const fields = new URLSearchParams(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
          ([, name, value]): [string, string] => [
            name!,
            value!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
          ],
        ),
      );
      expect(Object.fromEntries(fields)).toEqual({
        client_id: h.sandbox.clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: SCOPE,
        state: 's1',
        access_type: 'offline',
      });
      fields.set('email', GRACE);
      const approved = await fetch(target, { method: 'POST', body: fields, redirect: 'manual' });
      expect(approved.status).toBe(302);
      const query = new URL(approved.headers.get('location')!).searchParams;
      expect(query.get('state')).toBe('s1');

      const { tokens } = await client.getToken(query.get('code')!);
      client.setCredentials(tokens);
      const calendar = await calendarClient(h, client).calendars.get(
        { calendarId: 'primary' },
        { rootUrl: `${h.base}/` },
      );
      expect(calendar.data.id).toBe(GRACE);

      fields.set('decision', 'deny');
      fields.delete('email');
      const denied = await fetch(target, { method: 'POST', body: fields, redirect: 'manual' });
      expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    }

    it.each([
      ['an unknown client', { client_id: 'someone-else' }, 'Error 401: invalid_client'],
      ['no client', { client_id: undefined }, 'Missing required parameter: client_id'],
      ['no scope', { scope: undefined }, 'Missing required parameter: scope'],
      [
        'an ftp redirect_uri',
        { redirect_uri: 'ftp://example.com/cb' },
        'Invalid parameter value for redirect_uri',
      ],
      ['a relative redirect_uri', { redirect_uri: '/relative' }, 'Invalid parameter value for redirect_uri'],
      ['response_type=token', { response_type: 'token' }, 'Invalid response_type'],
      ['an unknown access_type', { access_type: 'forever' }, 'Invalid access_type'],
    ])('answers an error page, not a redirect, for %s', async (_label, change, message) => {
      h.sandbox.setConsentingUser(ADA);
      const params: Record<string, string | undefined> = {
        client_id: h.sandbox.clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: SCOPE,
        ...change,
      };
      const query = new URLSearchParams(
        Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      const res = await fetch(`${h.base}/o/oauth2/v2/auth?${query.toString()}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
    });
  });

  describe('token endpoint', () => {
    it('exchanges a code once: a reused or expired code is invalid_grant', async () => {
      const client = oauthClient(h);
      const code = (await consent(h, client, { email: ADA })).get('code')!;
      const { tokens } = await client.getToken(code);
      expect(tokens).toMatchObject({ token_type: 'Bearer', scope: SCOPE });
      expect(tokens.access_token).toMatch(/^ya29\./);

      const reused = await failure(client.getToken(code));
      expect(reused).toEqual({
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Bad Request' },
      });

      const late = (await consent(h, client, { email: ADA })).get('code')!;
      h.clock.advance(minutes(10));
      expect((await failure<OAuthErrorBody>(client.getToken(late))).data.error).toBe('invalid_grant');
    });

    it('refuses a code sent with another redirect_uri', async () => {
      const client = oauthClient(h);
      const code = (await consent(h, client, { email: ADA })).get('code')!;
      const { status, body } = await postToken({
        ...clientFields(),
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:3000/elsewhere',
      });
      expect(status).toBe(400);
      expect(body.error).toBe('redirect_uri_mismatch');
    });

    it('gives a refresh token only for offline access, and on a later consent only with prompt=consent', async () => {
      const client = oauthClient(h);
      const exchange = async (options: { accessType: 'online' | 'offline'; prompt?: string }) => {
        const code = (await consent(h, client, { email: ADA, ...options })).get('code')!;
        return (await client.getToken(code)).tokens.refresh_token;
      };
      expect(await exchange({ accessType: 'online' })).toBeUndefined();
      expect(await exchange({ accessType: 'offline' })).toMatch(/^1\/\/0/);
      expect(await exchange({ accessType: 'offline' })).toBeUndefined();
      expect(await exchange({ accessType: 'offline', prompt: 'select_account' })).toBeUndefined();
      expect(await exchange({ accessType: 'offline', prompt: 'consent' })).toMatch(/^1\/\/0/);
      h.sandbox.revokeGrant(ADA);
      expect(await exchange({ accessType: 'offline' })).toMatch(/^1\/\/0/);
    });

    it('answers a refresh with a new access token and never a new refresh token', async () => {
      const { client } = await connect(h, ADA);
      const refreshToken = client.credentials.refresh_token!;
      const { status, body } = await postToken({
        ...clientFields(),
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(body.access_token).not.toBe(client.credentials.access_token);
      expect(body.expires_in).toBe(3599);
    });

    it('accepts client credentials in HTTP Basic as well as in the body, and refuses a wrong secret', async () => {
      const { client } = await connect(h, ADA);
      const refresh = { grant_type: 'refresh_token', refresh_token: client.credentials.refresh_token! };
      const basic = (secret: string) => ({
        Authorization: `Basic ${Buffer.from(`${h.sandbox.clientId}:${secret}`).toString('base64')}`,
      });
      expect((await postToken(refresh, basic(h.sandbox.clientSecret))).status).toBe(200);
      expect(await postToken(refresh, basic('wrong'))).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Unauthorized' },
      });
      expect(await postToken({ ...refresh, client_id: h.sandbox.clientId, client_secret: 'wrong' })).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'Unauthorized' },
      });
      expect((await postToken({ ...refresh, client_id: 'other', client_secret: 'x' })).body.error).toBe(
        'invalid_client',
      );
    });

    it('answers invalid_request for missing fields and unsupported_grant_type for other grants', async () => {
      expect(await postToken({ ...clientFields(), grant_type: 'authorization_code' })).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'Missing required parameter: code' },
      });
      expect((await postToken({ ...clientFields() })).body.error).toBe('invalid_request');
      expect((await postToken({ ...clientFields(), grant_type: 'refresh_token' })).body.error).toBe(
        'invalid_request',
      );
      expect(await postToken({ ...clientFields(), grant_type: 'password' })).toEqual({
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' },
      });
    });

    it('expires access tokens by the sandbox clock', async () => {
      const { calendar } = await connect(h, ADA);
      await calendar.calendars.get({ calendarId: 'primary' });
      h.clock.advance(3599 * 1000);
      expect((await failure(calendar.calendars.get({ calendarId: 'primary' }))).status).toBe(401);
    });
  });

  describe('revocation', () => {
    it('revokeGrant kills every token of the user: the client surfaces invalid_grant on refresh', async () => {
      const { client, calendar } = await connect(h, ADA);
      const other = await connect(h, GRACE);
      h.sandbox.revokeGrant(ADA);

      expect((await failure(calendar.calendars.get({ calendarId: 'primary' }))).status).toBe(401);
      const refresh = await failure<OAuthErrorBody>(client.refreshAccessToken());
      expect(refresh).toEqual({
        status: 400,
        data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
      });

      // A client holding only the refresh token (as a service does after a restart) refreshes first.
      const restarted = oauthClient(h);
      restarted.setCredentials({ refresh_token: client.credentials.refresh_token! });
      const surfaced = await failure<OAuthErrorBody>(
        calendarClient(h, restarted).calendars.get({ calendarId: 'primary' }),
      );
      expect(surfaced.status).toBe(400);
      expect(surfaced.data.error).toBe('invalid_grant');

      expect((await other.calendar.calendars.get({ calendarId: 'primary' })).status).toBe(200);
    });

    it('POST /revoke revokes the grant once; an unknown token is invalid_token', async () => {
      const { client } = await connect(h, ADA);
      const refreshToken = client.credentials.refresh_token!;
      const revoked = await client.revokeToken(refreshToken);
      expect(revoked.status).toBe(200);
      expect(revoked.data).toEqual({});
      expect((await failure<OAuthErrorBody>(client.refreshAccessToken())).data.error).toBe('invalid_grant');
      expect(await failure(client.revokeToken(refreshToken))).toEqual({
        status: 400,
        data: { error: 'invalid_token', error_description: 'Token expired or revoked' },
      });
    });

    it('revoking an access token (in the form body) revokes its grant as well', async () => {
      const { client } = await connect(h, ADA);
      const res = await fetch(`${h.base}/revoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: client.credentials.access_token! }),
      });
      expect(res.status).toBe(200);
      expect((await failure<OAuthErrorBody>(client.refreshAccessToken())).data.error).toBe('invalid_grant');
    });
  });
});
