import { createSign, generateKeyPairSync } from 'node:crypto';

import { admin_directory_v1 } from '@googleapis/admin';
import { auth, calendar_v3 } from '@googleapis/calendar';
import { Gaxios } from 'gaxios';

import { DIRECTORY_READONLY_SCOPE, type ServiceAccountKeyFile } from '../../sandbox/google-sandbox';
import {
  ADA,
  failure,
  fixture,
  GRACE,
  type Harness,
  type OAuthErrorBody,
  SCOPE,
  startSandbox,
} from './harness';
import { shapeOf } from './shape';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const REAL_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * Google's own JWT client, pointed at the sandbox the only way it allows: `aud` as an extra claim, and its
 * request to Google's token URL sent to the sandbox instead. It signs as Google's libraries do (header without
 * `typ` or `kid`), so the sandbox is proved to accept what Google accepts.
 */
function jwtClient(h: Harness, key: ServiceAccountKeyFile, subject: string, scopes: string[]) {
  const transporter = new Gaxios();
  transporter.interceptors.request.add({
    resolved: (config) => {
      if (String(config.url) === REAL_TOKEN_URL) config.url = new URL(`${h.base}/token`);
      return Promise.resolve(config);
    },
  });
  return new auth.JWT({
    email: key.client_email,
    key: key.private_key,
    subject,
    scopes,
    additionalClaims: { aud: `${h.base}/token` },
    transporter,
  });
}

/** A JWT bearer assertion signed by hand, for the refusals Google's client would never send. */
function assertion(
  key: ServiceAccountKeyFile,
  claims: Record<string, unknown>,
  privateKey = key.private_key,
) {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

async function tokenRequest(
  h: Harness,
  jwt: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.base}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: jwt }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('sandbox: domain-wide delegation and the Workspace directory, as Google documents them', () => {
  let h: Harness;
  let key: ServiceAccountKeyFile;
  // Google's libraries sign with the real clock: this sandbox keeps the real time too.
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    iss: key.client_email,
    sub: ADA,
    scope: SCOPE,
    aud: `${h.base}/token`,
    iat: now(),
    exp: now() + 3600,
    ...overrides,
  });

  beforeEach(async () => {
    h = await startSandbox({ now: () => new Date() }, '/google');
    h.sandbox.addUser({ email: 'boss@ourco.com', name: 'Bo Ss', isAdmin: true });
    key = h.sandbox.serviceAccountKey();
  });
  afterEach(() => h.stop());

  it("gives Google's JWT client a token for the impersonated user, and the Calendar API acts as them", async () => {
    const client = jwtClient(h, key, ADA, [SCOPE]);
    const calendar = new calendar_v3.Calendar({ auth: client });
    const { data } = await calendar.calendars.get({ calendarId: 'primary' }, { rootUrl: `${h.base}/` });
    expect(data.id).toBe(ADA);
    // The JWT bearer grant gives no refresh token: the client asks again with a new assertion.
    expect(client.credentials.refresh_token).toBe('jwt-placeholder');
    expect(h.sandbox.requests.find((r) => r.path === '/token')?.userEmail).toBe(ADA);
  });

  it('answers the grant in the form of Google, without a refresh token', async () => {
    const answer = await tokenRequest(h, assertion(key, claims()));
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty('refresh_token');
    expect(shapeOf(answer.body)).toEqual(shapeOf(fixture('token-jwt-bearer-response.json')));
  });

  it.each([
    [
      'delegation withdrawn in the Admin console',
      () => h.sandbox.delegate(null),
      {},
      401,
      'error-token-jwt-unauthorized-client.json',
    ],
    [
      'a scope the delegation does not cover',
      () => undefined,
      { scope: `${SCOPE} https://mail.google.com/` },
      401,
      'error-token-jwt-unauthorized-client.json',
    ],
    [
      'an unknown user',
      () => undefined,
      { sub: 'nobody@ourco.com' },
      400,
      'error-token-jwt-invalid-user.json',
    ],
    [
      'a suspended user',
      () => h.sandbox.suspendUser(GRACE),
      { sub: GRACE },
      400,
      'error-token-jwt-invalid-user.json',
    ],
    [
      'a deleted user',
      () => h.sandbox.deleteUser(GRACE),
      { sub: GRACE },
      400,
      'error-token-jwt-invalid-user.json',
    ],
    [
      'an assertion living over an hour',
      () => undefined,
      { lifeS: 3601 },
      400,
      'error-token-jwt-timeframe.json',
    ],
    [
      'an assertion issued in the future',
      () => undefined,
      { issuedInS: 600, lifeS: 600 },
      400,
      'error-token-jwt-timeframe.json',
    ],
    [
      'a key deleted in the console',
      () => h.sandbox.deleteServiceAccountKeys(),
      {},
      400,
      'error-token-jwt-invalid-signature.json',
    ],
  ])('refuses %s as Google does', async (_case, arrange, overrides, status, fixtureName) => {
    arrange();
    // Times are taken now, not when the table was built.
    const { lifeS, issuedInS, ...rest } = overrides as { lifeS?: number; issuedInS?: number };
    const iat = now() + (issuedInS ?? 0);
    const times = lifeS === undefined ? {} : { iat, exp: iat + lifeS };
    const answer = await tokenRequest(h, assertion(key, claims({ ...rest, ...times })));
    expect(answer).toEqual({ status, body: fixture(fixtureName) });
  });

  it('refuses an assertion for another audience, or signed with another key', async () => {
    expect((await tokenRequest(h, assertion(key, claims({ aud: REAL_TOKEN_URL })))).body).toMatchObject({
      error: 'invalid_grant',
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = assertion(key, claims(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(await tokenRequest(h, forged)).toEqual({
      status: 400,
      body: fixture('error-token-jwt-invalid-signature.json'),
    });
  });

  it("keeps a delegated token working when the user's own OAuth grant is revoked, until it expires", async () => {
    const client = jwtClient(h, key, ADA, [SCOPE]);
    const calendar = new calendar_v3.Calendar({ auth: client });
    await calendar.calendars.get({ calendarId: 'primary' }, { rootUrl: `${h.base}/` });
    h.sandbox.revokeGrant(ADA);
    h.sandbox.delegate(null);
    // A withdrawn delegation refuses new tokens; the token already given lives its hour.
    await calendar.calendars.get({ calendarId: 'primary' }, { rootUrl: `${h.base}/` });
    h.sandbox.expireAccessTokens(ADA);
    // What the client holds once its token's hour is over.
    client.credentials = { refresh_token: 'jwt-placeholder', expiry_date: 1 };
    const refused = await failure<OAuthErrorBody>(
      calendar.calendars.get({ calendarId: 'primary' }, { rootUrl: `${h.base}/` }),
    );
    expect(refused.data.error).toBe('unauthorized_client');
  });

  describe('users.list', () => {
    const directory = (subject = 'boss@ourco.com', scopes = [DIRECTORY_READONLY_SCOPE]) =>
      new admin_directory_v1.Admin({ auth: jwtClient(h, key, subject, scopes) });
    const list = (
      params: admin_directory_v1.Params$Resource$Users$List,
      subject?: string,
      scopes?: string[],
    ) => directory(subject, scopes).users.list(params, { rootUrl: `${h.base}/` });

    it('pages a domain by email, lists suspended users as such, and deleted ones only with showDeleted', async () => {
      h.sandbox.addUser({ email: 'zed@ourco.com' });
      h.sandbox.addUser({ email: 'someone@other.example' });
      h.sandbox.suspendUser(GRACE);
      h.sandbox.deleteUser('zed@ourco.com');
      const first = (await list({ domain: 'ourco.com', maxResults: 2 })).data;
      expect(first.users?.map((u) => [u.primaryEmail, u.suspended])).toEqual([
        [ADA, false],
        ['boss@ourco.com', false],
      ]);
      expect(shapeOf(first)).toEqual(shapeOf(fixture('directory-users-page.json')));
      const second = (await list({ domain: 'ourco.com', maxResults: 2, pageToken: first.nextPageToken! }))
        .data;
      expect(second.users?.map((u) => [u.primaryEmail, u.suspended, u.suspensionReason])).toEqual([
        [GRACE, true, 'ADMIN'],
      ]);
      expect(second.nextPageToken).toBeUndefined();
      const deleted = (await list({ domain: 'ourco.com', showDeleted: 'true' })).data;
      expect(deleted.users?.map((u) => u.primaryEmail)).toEqual(['zed@ourco.com']);
    });

    it('refuses a user who is not an admin, a token without the directory scope, and bad parameters', async () => {
      const notAdmin = await failure(list({ domain: 'ourco.com' }, ADA));
      expect(notAdmin).toEqual({ status: 403, data: fixture('error-403-directory-not-authorized.json') });
      const wrongScope = await failure(list({ domain: 'ourco.com' }, 'boss@ourco.com', [SCOPE]));
      expect(wrongScope.status).toBe(403);
      expect((await failure(list({}))).status).toBe(400);
      expect((await failure(list({ domain: 'unknown.example' }))).status).toBe(404);
      expect((await failure(list({ domain: 'ourco.com', pageToken: 'forged' }))).status).toBe(400);
      expect((await failure(list({ domain: 'ourco.com', maxResults: 501 }))).status).toBe(400);
    });
  });
});
