import { randomUUID } from 'node:crypto';
import net from 'node:net';

import { seededRandom } from '../../sandbox/random';
import { HmacChannelTokens } from '../../src/adapters/crypto/hmac-channel-tokens';
import { auth, TEST_ADMIN_KEY, TEST_SECRET_KEY } from '../support/app';
import { embeddedTarget } from '../support/databases';
import { type E2E, startE2E } from '../support/e2e';

const REQUESTS = 10_000;
const CONCURRENCY = 50;
const tokens = new HmacChannelTokens(TEST_SECRET_KEY);

/** Sends raw bytes (so headers can be anything a client could send) and returns the status code, 0 if none. */
function rawRequest(port: number, head: Buffer, body: Buffer = Buffer.alloc(0)): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', () => undefined);
    // Written, not ended: like a real client, it waits for the answer (Connection: close ends the exchange).
    socket.write(Buffer.concat([head, body]));
  });
}

/**
 * 10,000 generated hostile webhook requests and malformed admin API bodies: never a 5xx, never a crash, no state
 * change, bounded memory (docs/reliability.md).
 */
describe('hostile input', () => {
  let e: E2E;
  let port: number;
  let live: { id: string; resource_id: string };
  let stale: { id: string; resource_id: string };

  beforeAll(async () => {
    e = await startE2E(embeddedTarget, { listen: true, quiet: true });
    port = Number(new URL(e.serviceUrl!).port);
    e.sandbox.addUser({ email: 'target@ourco.com' });
    const { memberId } = await e.signIn('target@ourco.com');
    await e.sandbox.idle();
    const channels = await e.t.db.dataSource.query<{ id: string; resource_id: string }[]>(
      'SELECT id, resource_id FROM channels WHERE member_id = $1',
      [memberId],
    );
    live = channels[0]!;
    stale = { id: randomUUID(), resource_id: 'stale-resource' };
    await e.t.db.dataSource.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at, stopped_at)
       VALUES ($1, $2, $3, now() + interval '1 day', now())`,
      [stale.id, memberId, stale.resource_id],
    );
    await e.t.db.dataSource.query(`UPDATE members SET sync_requested_at = NULL`);
  }, 60_000);
  afterAll(() => e.stop());

  const snapshot = () =>
    e.t.db.dataSource.query<Record<string, unknown>[]>(
      `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM contacts)::int AS contacts,
              (SELECT count(*) FROM members WHERE sync_requested_at IS NOT NULL)::int AS requested,
              (SELECT count(*) FROM channels WHERE stopped_at IS NULL)::int AS live_channels,
              (SELECT count(*) FROM meetings)::int AS meetings`,
    );

  it('answers 10,000 hostile webhook requests with 4xx only and changes nothing', async () => {
    const before = await snapshot();
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const statuses = new Map<number, number>();
    const rssBefore = process.memoryUsage().rss;

    const hostile = (i: number): Buffer => {
      const channel = pick([live, stale, { id: randomUUID(), resource_id: 'nope' }]);
      const headers: [string, string | Buffer][] = [
        ['X-Goog-Channel-ID', channel.id],
        ['X-Goog-Channel-Token', channel === live ? 'forged-token' : tokens.sign(channel.id)],
        ['X-Goog-Resource-ID', channel.resource_id],
        ['X-Goog-Resource-State', pick(['exists', 'not_exists', 'sync', 'EXISTS', '', 'deleted'])],
        ['X-Goog-Message-Number', pick([String(i), '1', '0', '-5', '99999999999999999999999', 'abc'])],
      ];
      switch (i % 8) {
        case 0: // a header missing
          headers.splice(Math.floor(random() * headers.length), 1);
          break;
        case 1: // an oversized value
          headers[Math.floor(random() * headers.length)]![1] = 'x'.repeat(pick([300, 5_000, 20_000]));
          break;
        case 2: // bytes outside ASCII
          headers[Math.floor(random() * headers.length)]![1] = Buffer.from([0xe9, 0xff, 0x80, 0x41]);
          break;
        case 3: // a token for the wrong channel, on the live channel
          headers[0]![1] = live.id;
          headers[1]![1] = tokens.sign(randomUUID());
          break;
        case 4: // the live channel, the right token, another resource
          headers[0]![1] = live.id;
          headers[1]![1] = tokens.sign(live.id);
          headers[2]![1] = `resource-${i}`;
          break;
        case 5: // garbage channel id
          headers[0]![1] = pick(['', 'null', '../../etc/passwd', `${live.id}x`, '😀']);
          break;
        default:
          break;
      }
      const lines = [
        Buffer.from('POST /webhooks/google/calendar HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n'),
      ];
      for (const [name, value] of headers)
        lines.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n'));
      lines.push(Buffer.from('Content-Length: 0\r\n\r\n'));
      return Buffer.concat(lines);
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const status = await rawRequest(port, hostile(next++));
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const codes = [...statuses.keys()];
    expect(codes.filter((code) => code >= 500 || code < 400)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(await snapshot()).toEqual(before);
    expect((await fetch(`${e.serviceUrl}/healthz`)).status).toBe(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);

  it('answers malformed admin API bodies with 400 or 413 and changes nothing', async () => {
    const before = await snapshot();
    const bodies: (string | Buffer)[] = [
      '',
      'null',
      '{',
      '[',
      '"text"',
      '[1, 2, 3]',
      '[{"id": {"$ne": 1}, "name": "x"}]',
      '[{"id": "a", "name": 5, "domains": "x.com"}]',
      '[{"id": "a", "name": "A", "domains": [null]}]',
      `[{"id": "${'a'.repeat(10_000)}", "name": "A"}]`,
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      Buffer.from([0x5b, 0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x5d]),
      JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ id: `a${i}`, name: 'A' }))),
      JSON.stringify([{ id: 'a', name: 'x'.repeat(11 * 1024 * 1024) }]),
    ];
    for (const path of ['/api/accounts', '/api/contacts']) {
      for (const body of bodies) {
        const res = await fetch(`${e.serviceUrl}${path}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${TEST_ADMIN_KEY}`, 'Content-Type': 'application/json' },
          body,
        });
        expect([400, 413]).toContain(res.status);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(auth.Authorization).toContain(TEST_ADMIN_KEY);
  }, 60_000);
});
