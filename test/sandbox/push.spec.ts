import type { calendar_v3 } from '@googleapis/calendar';

import {
  ADA,
  connect,
  days,
  failure,
  GRACE,
  type Harness,
  type Receiver,
  startReceiver,
  startSandbox,
  T0,
} from './harness';

const googHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-goog-')));

/** The test receiver listens on plain http; Google would refuse it, so the sandbox is told to allow it. */
const LOCAL_HOOKS = { httpWebhookHosts: ['127.0.0.1'] };

describe('sandbox watch channels and push notifications', () => {
  let h: Harness;
  let calendar: calendar_v3.Calendar;
  let receiver: Receiver;
  beforeEach(async () => {
    h = await startSandbox(LOCAL_HOOKS);
    ({ calendar } = await connect(h, ADA));
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.stop();
    await receiver.stop();
  });

  const watch = (id: string, extra: calendar_v3.Schema$Channel = {}, cal = calendar) =>
    cal.events.watch({
      calendarId: 'primary',
      requestBody: { id, type: 'web_hook', address: receiver.url, ...extra },
    });

  it("answers Google's channel resource; ttl is honoured up to Google's 7-day limit", async () => {
    const { data } = await watch('ch-1', { token: 'tok', params: { ttl: '3600' } });
    expect(data).toEqual({
      kind: 'api#channel',
      id: 'ch-1',
      resourceId: expect.any(String),
      resourceUri: `${h.base}/calendar/v3/calendars/primary/events?alt=json`,
      token: 'tok',
      expiration: String(T0 + 3_600_000),
    });
    const byDefault = (await watch('ch-2')).data;
    expect(byDefault.expiration).toBe(String(T0 + days(7)));
    expect((await watch('ch-3', { params: { ttl: String(days(365) / 1000) } })).data.expiration).toBe(
      String(T0 + days(7)),
    );

    expect(byDefault.resourceId).toBe(data.resourceId);
    const grace = await connect(h, GRACE);
    expect((await watch('ch-4', {}, grace.calendar)).data.resourceId).not.toBe(data.resourceId);
    expect(h.sandbox.channels(ADA).map((channel) => [channel.id, channel.expiration])).toEqual([
      ['ch-1', T0 + 3_600_000],
      ['ch-2', T0 + days(7)],
      ['ch-3', T0 + days(7)],
    ]);
    await h.sandbox.idle();
  });

  it("confirms a channel with an empty `sync` POST numbered 1, carrying Google's headers", async () => {
    const { data } = await watch('ch-1', { token: 'tok' });
    await h.sandbox.idle();

    expect(receiver.notifications).toHaveLength(1);
    const [sync] = receiver.notifications;
    expect(googHeaders(sync!.headers)).toEqual({
      'x-goog-channel-id': 'ch-1',
      'x-goog-channel-token': 'tok',
      'x-goog-channel-expiration': new Date(Number(data.expiration)).toUTCString(),
      'x-goog-resource-id': data.resourceId,
      'x-goog-resource-uri': data.resourceUri,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });
    expect(sync!.headers['x-goog-channel-expiration']).toMatch(
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    expect(sync!.bodyBytes).toBe(0);
    expect(sync!.headers['content-type']).toBeUndefined();
    expect(h.sandbox.pushResults).toEqual([
      { channelId: 'ch-1', resourceState: 'sync', messageNumber: 1, status: 200, attempts: 1 },
    ]);
  });

  it('then sends `exists` with growing, non-consecutive numbers, without a token header when none was set', async () => {
    await watch('ch-1');
    await h.sandbox.idle();
    for (let i = 0; i < 3; i += 1) await h.sandbox.push(ADA);

    const states = receiver.notifications.map((n) => n.headers['x-goog-resource-state']);
    const numbers = receiver.notifications.map((n) => Number(n.headers['x-goog-message-number']));
    expect(states).toEqual(['sync', 'exists', 'exists', 'exists']);
    expect(numbers[0]).toBe(1);
    for (let i = 1; i < numbers.length; i += 1)
      expect(numbers[i]! - numbers[i - 1]!).toBeGreaterThanOrEqual(2);
    expect(receiver.notifications.every((n) => !('x-goog-channel-token' in n.headers))).toBe(true);
  });

  it('retries 5xx answers with the same message, then records the success', async () => {
    await watch('ch-1');
    await h.sandbox.idle();
    receiver.replies.push(503, 500);

    const [result] = await h.sandbox.push(ADA);

    expect(result).toEqual({
      channelId: 'ch-1',
      resourceState: 'exists',
      messageNumber: expect.any(Number),
      status: 200,
      attempts: 3,
    });
    const retried = receiver.notifications.slice(1).map((n) => n.headers['x-goog-message-number']);
    expect(retried).toEqual([
      String(result!.messageNumber),
      String(result!.messageNumber),
      String(result!.messageNumber),
    ]);
  });

  it('does not retry a 4xx answer', async () => {
    await watch('ch-1');
    await h.sandbox.idle();
    receiver.replies.push(404);
    expect(await h.sandbox.push(ADA)).toEqual([expect.objectContaining({ status: 404, attempts: 1 })]);
    expect(receiver.notifications).toHaveLength(2);
  });

  it('gives up on an unreachable address after pushRetry.attempts', async () => {
    await receiver.stop();
    await watch('ch-1');
    await h.sandbox.idle();
    expect(h.sandbox.pushResults).toEqual([
      { channelId: 'ch-1', resourceState: 'sync', messageNumber: 1, status: null, attempts: 3 },
    ]);
    receiver = await startReceiver();
  });

  it('sends nothing more to a stopped channel; only its owner can stop it, once', async () => {
    const { data } = await watch('ch-1');
    await h.sandbox.idle();
    const stopBody = { requestBody: { id: 'ch-1', resourceId: data.resourceId } };

    const grace = await connect(h, GRACE);
    expect((await failure(grace.calendar.channels.stop(stopBody))).status).toBe(404);
    expect((await calendar.channels.stop(stopBody)).status).toBe(204);
    expect((await failure(calendar.channels.stop(stopBody))).status).toBe(404);

    h.sandbox.insertEvent(ADA, {
      summary: 'x',
      start: { dateTime: '2026-03-03T10:00:00Z' },
      end: { dateTime: '2026-03-03T11:00:00Z' },
    });
    expect(await h.sandbox.push(ADA)).toEqual([]);
    expect(h.sandbox.channels()).toEqual([]);
    expect(receiver.notifications).toHaveLength(1);
  });

  it('stops retrying once the channel is stopped', async () => {
    await h.stop();
    h = await startSandbox({ ...LOCAL_HOOKS, pushRetry: { attempts: 5, baseDelayMs: 250 } });
    ({ calendar } = await connect(h, ADA));
    const { data } = await watch('ch-1');
    await h.sandbox.idle();
    receiver.replies.push(503, 503, 503, 503, 503);

    const pushed = h.sandbox.push(ADA);
    await calendar.channels.stop({ requestBody: { id: 'ch-1', resourceId: data.resourceId } });

    expect(await pushed).toEqual([expect.objectContaining({ status: 503, attempts: 1 })]);
  });

  it('sends nothing to an expired channel', async () => {
    await watch('ch-1', { params: { ttl: '60' } });
    await h.sandbox.idle();
    h.clock.advance(60_000);
    expect(h.sandbox.channels(ADA)).toEqual([]);
    expect(await h.sandbox.push(ADA)).toEqual([]);
    // An expired channel's id may be used again.
    expect((await watch('ch-1')).status).toBe(200);
    await h.sandbox.idle();
  });

  it('with autoPush, notifies on every insert, update and cancel; idle() waits for the deliveries', async () => {
    await watch('ch-1');
    h.sandbox.autoPush(true);
    const event = h.sandbox.insertEvent(ADA, {
      summary: 'QBR',
      start: { dateTime: '2026-03-03T10:00:00Z' },
      end: { dateTime: '2026-03-03T11:00:00Z' },
    });
    h.sandbox.updateEvent(ADA, event.id, { summary: 'QBR 2' });
    h.sandbox.cancelEvent(ADA, event.id);
    h.sandbox.insertEvent(GRACE, {
      summary: 'not watched',
      start: { dateTime: '2026-03-03T10:00:00Z' },
      end: { dateTime: '2026-03-03T11:00:00Z' },
    });
    await h.sandbox.idle();
    expect(receiver.notifications.map((n) => n.headers['x-goog-resource-state'])).toEqual([
      'sync',
      'exists',
      'exists',
      'exists',
    ]);

    h.sandbox.autoPush(false);
    h.sandbox.updateEvent(ADA, event.id, { summary: 'QBR 3' });
    await h.sandbox.idle();
    expect(receiver.notifications).toHaveLength(4);
  });

  it('refuses a live duplicate channel id, a non-https address and an unknown type', async () => {
    await watch('ch-1');
    const duplicate = await failure(watch('ch-1'));
    expect(duplicate.status).toBe(400);
    expect(duplicate.data.error.errors[0]?.reason).toBe('channelIdNotUnique');
    for (const address of ['ftp://example.com/hook', 'http://example.com/hook', 'hook', '']) {
      const refused = await failure(watch('ch-2', { address }));
      expect(refused.status).toBe(400);
      expect(refused.data.error.errors[0]?.reason).toBe('push.webhookUrlNotHttps');
    }
    const email = await failure(watch('ch-3', { type: 'email' }));
    expect(email.data.error.errors[0]).toMatchObject({ reason: 'invalid', location: 'type' });
    await h.sandbox.idle();
  });

  it('builds resourceUri from where the sandbox is mounted', async () => {
    const mounted = await startSandbox(LOCAL_HOOKS, '/google');
    try {
      const member = await connect(mounted, ADA);
      const { data } = await member.calendar.events.watch(
        { calendarId: ADA, requestBody: { id: 'ch-1', type: 'web_hook', address: receiver.url } },
        { rootUrl: `${mounted.base}/` },
      );
      expect(data.resourceUri).toBe(
        `${mounted.base}/calendar/v3/calendars/${encodeURIComponent(ADA)}/events?alt=json`,
      );
      await mounted.sandbox.idle();
    } finally {
      await mounted.stop();
    }
  });
});
