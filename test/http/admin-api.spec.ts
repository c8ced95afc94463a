import request from 'supertest';

import { MAX_BATCH_ROWS } from '../../src/application/batch-limits';
import { auth, startTestApp, type TestApp } from '../support/app';
import { databaseTargets, resetData } from '../support/databases';

const ids = (body: { accounts: { id: string }[] }) => body.accounts.map((account) => account.id);

describe.each(databaseTargets())('admin API on $name', (target) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(() => t.stop());
  beforeEach(() => resetData(t.db.dataSource));

  const putAccounts = (body: unknown) =>
    request(t.app)
      .put('/api/accounts')
      .set(auth)
      .send(body as object);
  const putContacts = (body: unknown) =>
    request(t.app)
      .put('/api/contacts')
      .set(auth)
      .send(body as object);

  describe('authentication', () => {
    it.each([
      ['no header', {}],
      ['another scheme', { Authorization: 'Basic dGVzdDp0ZXN0' }],
      ['a wrong key', { Authorization: 'Bearer not-the-key' }],
      ['a key with extra text', { Authorization: `${auth.Authorization} extra` }],
      ['an empty bearer', { Authorization: 'Bearer ' }],
    ])('answers 401 to %s and changes nothing', async (_case, headers) => {
      const res = await request(t.app)
        .put('/api/accounts')
        .set(headers)
        .send([{ id: 'logo', name: 'Logo', domains: [] }]);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.error).toBe('unauthorized');
      expect(await t.db.dataSource.query('SELECT count(*)::int AS n FROM accounts')).toEqual([{ n: 0 }]);
    });

    it('guards reads and deletes too', async () => {
      expect((await request(t.app).get('/api/accounts')).status).toBe(401);
      expect((await request(t.app).delete('/api/accounts/logo')).status).toBe(401);
      expect((await request(t.app).delete('/api/contacts/a@b.com')).status).toBe(401);
    });

    it('accepts the scheme in any case', async () => {
      const res = await request(t.app)
        .get('/api/accounts')
        .set('Authorization', auth.Authorization.replace('Bearer', 'bearer'));
      expect(res.status).toBe(200);
    });
  });

  describe('PUT /api/accounts', () => {
    it('upserts and normalises domains', async () => {
      const res = await putAccounts([
        { id: 'logo', name: ' Logo Inc ', domains: ['LOGO.com', '@eu.logo.com', 'logo.com.'] },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ upserted: 1 });
      const account = await request(t.app).get('/api/accounts/logo').set(auth);
      expect(account.body).toEqual({
        id: 'logo',
        name: 'Logo Inc',
        domains: ['eu.logo.com', 'logo.com'],
        contactCount: 0,
      });
    });

    it('is idempotent', async () => {
      const body = [
        { id: 'logo', name: 'Logo', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme', domains: [] },
      ];
      await putAccounts(body).expect(200);
      const first = await request(t.app).get('/api/accounts').set(auth);
      await putAccounts(body).expect(200);
      const second = await request(t.app).get('/api/accounts').set(auth);
      expect(second.body).toEqual(first.body);
      expect(second.body.accounts).toHaveLength(2);
    });

    it('treats missing domains as none', async () => {
      await putAccounts([{ id: 'acme', name: 'Acme' }]).expect(200);
      expect((await request(t.app).get('/api/accounts/acme').set(auth)).body.domains).toEqual([]);
    });

    it.each([
      ['an object instead of an array', { id: 'logo' }, []],
      ['a row without a name', [{ id: 'logo', domains: [] }], [0, 'name']],
      ['an empty id', [{ id: '  ', name: 'Logo', domains: [] }], [0, 'id']],
      ['a NUL in the id', [{ id: 'lo\u0000go', name: 'Logo' }], [0, 'id']],
      ['a control character in the name', [{ id: 'logo', name: 'Lo\u0007go' }], [0, 'name']],
      [
        'a domain that is not one',
        [{ id: 'logo', name: 'Logo', domains: ['logo.com', 'not a domain'] }],
        [0, 'domains', 1],
      ],
      ['domains that are not a list', [{ id: 'logo', name: 'Logo', domains: 'logo.com' }], [0, 'domains']],
      [
        'the same id twice',
        [
          { id: 'logo', name: 'A' },
          { id: 'logo', name: 'B' },
        ],
        [1, 'id'],
      ],
    ])('answers 400 with the reason for %s and writes nothing', async (_case, body, path) => {
      const res = await putAccounts(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(await t.db.dataSource.query('SELECT count(*)::int AS n FROM accounts')).toEqual([{ n: 0 }]);
    });

    it('writes none of a batch whose last row is bad', async () => {
      const res = await putAccounts([
        { id: 'good', name: 'Good', domains: ['good.com'] },
        { id: 'bad', name: 'Bad', domains: ['bad domain'] },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([{ path: [1, 'domains', 0], message: '"bad domain" is not a domain' }]);
      await request(t.app).get('/api/accounts/good').set(auth).expect(404);
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await request(t.app)
        .put('/api/accounts')
        .set(auth)
        .set('Content-Type', 'application/json')
        .send('[{"id": "logo",');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_body');
    });

    it(`refuses more than ${MAX_BATCH_ROWS} rows`, async () => {
      const rows = Array.from({ length: MAX_BATCH_ROWS + 1 }, (_, i) => ({ id: `a${i}`, name: 'A' }));
      const res = await putAccounts(rows);
      expect(res.status).toBe(400);
      expect(res.body.issues[0].message).toMatch(/at most 10000 rows/);
    });

    it('answers 413 to a body over the limit', async () => {
      const res = await putAccounts([{ id: 'logo', name: 'x'.repeat(11 * 1024 * 1024) }]);
      expect(res.status).toBe(413);
    });
  });

  describe('GET /api/accounts', () => {
    beforeEach(() =>
      putAccounts(
        Array.from({ length: 5 }, (_, i) => ({
          id: `acc-${i}`,
          name: `Account ${i}`,
          domains: [`d${i}.com`],
        })),
      ).expect(200),
    );

    it('pages with an opaque cursor', async () => {
      const first = await request(t.app).get('/api/accounts?limit=3').set(auth).expect(200);
      expect(ids(first.body)).toEqual(['acc-0', 'acc-1', 'acc-2']);
      expect(first.body.accounts[0]).toEqual({ id: 'acc-0', name: 'Account 0', domains: ['d0.com'] });
      const second = await request(t.app)
        .get(`/api/accounts?limit=3&cursor=${first.body.nextCursor}`)
        .set(auth)
        .expect(200);
      expect(ids(second.body)).toEqual(['acc-3', 'acc-4']);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([['limit=0'], ['limit=1001'], ['limit=abc'], ['cursor=garbage']])(
      'answers 400 to %s',
      async (query) => {
        const res = await request(t.app).get(`/api/accounts?${query}`).set(auth);
        expect(res.status).toBe(400);
        expect(res.body.issues.length).toBeGreaterThan(0);
      },
    );

    it('answers 404 for an unknown account', async () => {
      const res = await request(t.app).get('/api/accounts/nope').set(auth);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('not_found');
    });

    it.each([['%00'], ['a%00b'], ['%01'], [`${'x'.repeat(300)}`]])(
      'answers 400, not a database error, to the id %s no account can have',
      async (id) => {
        await request(t.app).get(`/api/accounts/${id}`).set(auth).expect(400);
        await request(t.app).get(`/api/accounts/${id}/interactions`).set(auth).expect(400);
        await request(t.app).delete(`/api/accounts/${id}`).set(auth).expect(400);
      },
    );

    it('answers 400 to a cursor holding what no account id can be', async () => {
      const cursor = Buffer.from(JSON.stringify({ after: 'a\u0000b' })).toString('base64url');
      await request(t.app).get(`/api/accounts?cursor=${cursor}`).set(auth).expect(400);
    });
  });

  describe('GET /api/accounts/:id/interactions', () => {
    beforeEach(() => putAccounts([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]).expect(200));
    const cursor = (position: unknown) => Buffer.from(JSON.stringify(position)).toString('base64url');

    it.each([
      ['from=2026-02-31'],
      ['to=2026-02-29'],
      ['from=2026-13-01'],
      ['from=0000-01-01'],
      ['from=2026-11-20T24:00:00Z'],
      ['from=2026-11-20T10:60:00Z'],
      ['from=2026-02-30T10:00:00Z'],
      ['to=2026-11-20T10:00:00%2B16:00'],
      ['from=2026-11-20T10:00:00'],
      ['from=2026-11-20&from=2026-11-21'],
      [`cursor=${cursor({ startTime: '1', id: '00000000-0000-4000-8000-000000000000' })}`],
      [
        `cursor=${cursor({ startTime: '2026-02-31T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })}`,
      ],
      [`cursor=${cursor({ startTime: '2026-11-20T00:00:00.000Z', id: 'x' })}`],
      [`cursor=${cursor({ after: 'logo' })}`],
    ])('answers 400 to %s, never a database error', async (query) => {
      const res = await request(t.app).get(`/api/accounts/logo/interactions?${query}`).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    });

    it('answers in one statement: 200 for an account without interactions, 404 for none, cursor or not', async () => {
      const read = async (path: string, status: number) => {
        const before = t.db.queryCounter.count;
        const res = await request(t.app).get(path).set(auth).expect(status);
        // On the embedded database a second statement would wait behind whatever transaction runs meanwhile.
        expect(t.db.queryCounter.count - before).toBe(1);
        return res.body as Record<string, unknown>;
      };
      expect(await read('/api/accounts/logo/interactions', 200)).toEqual({
        interactions: [],
        nextCursor: null,
      });
      const position = cursor({
        startTime: '2026-11-20T00:00:00.000Z',
        id: '00000000-0000-4000-8000-000000000000',
      });
      expect(await read(`/api/accounts/logo/interactions?cursor=${position}`, 200)).toEqual({
        interactions: [],
        nextCursor: null,
      });
      expect((await read('/api/accounts/ghost/interactions', 404)).error).toBeDefined();
      await read(`/api/accounts/ghost/interactions?cursor=${position}`, 404);
    });

    it.each([['from=2028-02-29'], ['from=2026-11-20T10:00:00.123456%2B05:30'], ['to=9999-12-31T23:59:59Z']])(
      'accepts %s',
      async (query) => {
        await request(t.app).get(`/api/accounts/logo/interactions?${query}`).set(auth).expect(200);
      },
    );
  });

  describe('PUT /api/contacts', () => {
    beforeEach(() => putAccounts([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]).expect(200));

    it('upserts contacts, normalising emails', async () => {
      await putContacts([{ email: ' Tess@LOGO.com ', name: 'Tess Ter', accountId: 'logo' }]).expect(200, {
        upserted: 1,
      });
      await putContacts([{ email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' }]).expect(200);
      expect((await request(t.app).get('/api/accounts/logo').set(auth)).body.contactCount).toBe(1);
    });

    it('answers 400 naming the unknown account, and writes none of the batch', async () => {
      const res = await putContacts([
        { email: 'tess@logo.com', accountId: 'logo' },
        { email: 'x@ghost.com', accountId: 'ghost' },
      ]);
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([{ path: [1, 'accountId'], message: 'unknown accountId "ghost"' }]);
      expect((await request(t.app).get('/api/accounts/logo').set(auth)).body.contactCount).toBe(0);
    });

    it.each([
      ['a bad email', [{ email: 'not-an-email', accountId: 'logo' }], [0, 'email']],
      ['no accountId', [{ email: 'a@logo.com' }], [0, 'accountId']],
      ['a NUL in the email', [{ email: 'a\u0000b@logo.com', accountId: 'logo' }], [0, 'email']],
      ['a NUL in the name', [{ email: 'a@logo.com', name: 'A\u0000', accountId: 'logo' }], [0, 'name']],
      ['a NUL in the account id', [{ email: 'a@logo.com', accountId: 'lo\u0000go' }], [0, 'accountId']],
      [
        'the same email twice',
        [
          { email: 'a@logo.com', accountId: 'logo' },
          { email: 'A@logo.com', accountId: 'logo' },
        ],
        [1, 'email'],
      ],
    ])('answers 400 to %s', async (_case, body, path) => {
      const res = await putContacts(body);
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });
  });

  describe('DELETE', () => {
    beforeEach(async () => {
      await putAccounts([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]).expect(200);
      await putContacts([{ email: 'tess@logo.com', accountId: 'logo' }]).expect(200);
    });

    it('deletes a contact by email, case-insensitively', async () => {
      await request(t.app).delete('/api/contacts/Tess@Logo.com').set(auth).expect(204);
      expect((await request(t.app).get('/api/accounts/logo').set(auth)).body.contactCount).toBe(0);
      await request(t.app).delete('/api/contacts/tess@logo.com').set(auth).expect(404);
    });

    it('deletes an account and its contacts', async () => {
      await request(t.app).delete('/api/accounts/logo').set(auth).expect(204);
      await request(t.app).get('/api/accounts/logo').set(auth).expect(404);
      await request(t.app).delete('/api/accounts/logo').set(auth).expect(404);
      expect(await t.db.dataSource.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 0 }]);
    });
  });
});
