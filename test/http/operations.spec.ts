import request from 'supertest';

import { TOKENS } from '../../src/application/ports/tokens';
import { auth, startTestApp, type TestApp } from '../support/app';
import { embeddedTarget } from '../support/databases';

describe('operations endpoints', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(embeddedTarget);
  });
  afterAll(() => t.stop());

  it('GET /healthz answers while the process is up', async () => {
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
  });

  it('GET /readyz answers 200 while the database is reachable', async () => {
    await request(t.app).get('/readyz').expect(200);
  });

  it('GET /metrics serves Prometheus text with request timings', async () => {
    await request(t.app).get('/healthz');
    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(res.text).toContain('process_resident_memory_bytes');
  });

  it('serves the OpenAPI document of the admin API without a key', async () => {
    const res = await request(t.app).get('/api/openapi.json').expect(200);
    expect(res.body).toMatchObject({
      openapi: '3.1.0',
      paths: expect.objectContaining({ '/api/accounts': expect.any(Object) }),
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(t.app).get('/nope').expect(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'No such endpoint' });
  });
});

describe('failures', () => {
  it('GET /readyz answers 503 when the database is gone', async () => {
    const t = await startTestApp(embeddedTarget);
    await t.stop();
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: 'down' });
  });

  it('hides unexpected errors from the client and logs them without request secrets', async () => {
    const t = await startTestApp(embeddedTarget, {
      configure: (container) => {
        container.rebind(TOKENS.AccountRepository).toConstantValue({
          list: () => Promise.reject(new Error('disk on fire')),
        });
      },
    });
    try {
      const res = await request(t.app).get('/api/accounts').set(auth);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'internal', message: 'Something went wrong on our side' });
      expect(JSON.stringify(res.body)).not.toContain('disk on fire');
      const logged = t.logger.entries.find((entry) => entry.message === 'unhandled error');
      expect(logged?.fields).toMatchObject({ path: '/api/accounts', error: { message: 'disk on fire' } });
      expect(JSON.stringify(t.logger.entries)).not.toContain(auth.Authorization.slice(7));
    } finally {
      await t.stop();
    }
  });
});
