import type { calendar_v3 } from '@googleapis/calendar';

import { ADA, connect, failure, fixture, type Harness, startSandbox } from './harness';

/** gaxios retries 429 and 5xx on GET by itself; these options take its waits out. */
const noRetryWait = { retryConfig: { retryDelay: 0, retryDelayMultiplier: 1 } };

describe('sandbox fault injection, latency and request log', () => {
  let h: Harness;
  let calendar: calendar_v3.Calendar;
  beforeEach(async () => {
    h = await startSandbox();
    ({ calendar } = await connect(h, ADA));
    h.sandbox.clearRequests();
  });
  afterEach(() => h.stop());

  const list = (options: object = {}) => calendar.events.list({ calendarId: 'primary' }, options);
  const statuses = () => h.sandbox.requests.map((request) => request.status);

  it("answers an injected 403 with Google's rate-limit body, once by default", async () => {
    h.sandbox.injectFault({ status: 403 });
    expect(await failure(list())).toEqual({ status: 403, data: fixture('error-403-rate-limit.json') });
    expect((await list()).status).toBe(200);
    expect(statuses()).toEqual([403, 200]);
  });

  it('fails `times` requests in a row: the client retries 429 on its own and then succeeds', async () => {
    h.sandbox.injectFault({ status: 429, times: 2 });
    expect((await list(noRetryWait)).status).toBe(200);
    expect(statuses()).toEqual([429, 429, 200]);
    expect(h.sandbox.requests[0]!.path).toBe('/calendar/v3/calendars/primary/events');
  });

  it('answers 500 and 503 with backendError', async () => {
    h.sandbox.injectFault({ status: 500 });
    h.sandbox.injectFault({ status: 503 });
    expect(await failure(list({ retry: false }))).toEqual({
      status: 500,
      data: fixture('error-500-backend.json'),
    });
    const unavailable = await failure(list({ retry: false }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.data.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(unavailable.data.error.errors[0]?.reason).toBe('backendError');
  });

  it('takes a custom reason', async () => {
    h.sandbox.injectFault({ status: 403, reason: 'userRateLimitExceeded' });
    expect((await failure(list())).data.error.errors).toEqual([
      { domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' },
    ]);
  });

  it('hits only paths matching pathPattern; by default the Calendar API and not OAuth', async () => {
    h.sandbox.injectFault({ status: 500, pathPattern: /\/events$/ });
    expect((await calendar.calendars.get({ calendarId: 'primary' })).status).toBe(200);
    expect((await failure(list({ retry: false }))).status).toBe(500);

    const { client } = await connect(h, ADA);
    h.sandbox.injectFault({ status: 503 });
    await client.refreshAccessToken();
    expect((await failure(list({ retry: false }))).status).toBe(503);
  });

  it('can fail the token endpoint when asked to', async () => {
    const { client } = await connect(h, ADA);
    h.sandbox.injectFault({ status: 500, pathPattern: /^\/token$/ });
    h.sandbox.clearRequests();
    // The auth library retries token calls on 5xx too.
    await client.refreshAccessToken();
    expect(statuses()).toEqual([500, 200]);
  });

  it('adds latency to Calendar API and token calls, and an injected fault may be slow too', async () => {
    h.sandbox.setLatency(150);
    await list();
    const { client } = await connect(h, ADA);
    await client.refreshAccessToken();
    h.sandbox.setLatency(0);
    h.sandbox.injectFault({ status: 403, latencyMs: 120 });
    await failure(list());

    const took = (path: RegExp) =>
      h.sandbox.requests.filter((r) => path.test(r.path)).map((r) => r.finishedAt - r.startedAt);
    const [slowList, faultList] = took(/\/events$/);
    expect(slowList).toBeGreaterThanOrEqual(150);
    expect(faultList).toBeGreaterThanOrEqual(120);
    expect(took(/^\/token$/).every((ms) => ms >= 150)).toBe(true);
    expect(took(/^\/o\/oauth2/).every((ms) => ms < 150)).toBe(true);
  });

  it('storms: fails a seeded share of Calendar API calls with the given faults, slows some, until stopped', async () => {
    const run = async () => {
      h.sandbox.clearRequests();
      h.sandbox.startStorm({
        failureRate: 0.5,
        faults: [{ status: 429 }, { status: 403, reason: 'userRateLimitExceeded' }],
        slowRate: 0.2,
        slowMs: 60,
        seed: 42,
      });
      for (let i = 0; i < 40; i++) await list({ retry: false }).catch(() => undefined);
      h.sandbox.stopStorm();
      return h.sandbox.requests.map((r) => ({ status: r.status, slow: r.finishedAt - r.startedAt >= 60 }));
    };
    const first = await run();
    const failed = first.filter((r) => r.status !== 200).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(30);
    expect(new Set(first.map((r) => r.status))).toEqual(new Set([200, 429, 403]));
    expect(first.filter((r) => r.slow).length).toBeGreaterThan(2);
    // The same seed, the same storm; stopped, no more faults.
    expect((await run()).map((r) => r.status)).toEqual(first.map((r) => r.status));
    h.sandbox.clearRequests();
    expect((await list()).status).toBe(200);
    expect(() => h.sandbox.startStorm({ failureRate: 2, faults: [{ status: 500 }] })).toThrow(/failure rate/);
  });

  it('logs each request with its app-relative path, query, status and user', async () => {
    await calendar.events.list({ calendarId: 'primary', maxResults: 5, singleEvents: true });
    expect(h.sandbox.requests).toEqual([
      {
        method: 'GET',
        path: '/calendar/v3/calendars/primary/events',
        query: { maxResults: '5', singleEvents: 'true' },
        status: 200,
        startedAt: expect.any(Number),
        finishedAt: expect.any(Number),
        userEmail: ADA,
      },
    ]);
    h.sandbox.clearRequests();
    expect(h.sandbox.requests).toEqual([]);
  });
});
