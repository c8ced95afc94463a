import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import autocannon from 'autocannon';
import express from 'express';

import { HmacChannelTokens } from '../src/adapters/crypto/hmac-channel-tokens';
import { WEBHOOK_PATH } from '../src/adapters/http/webhook.router';
import { TEST_SECRET_KEY } from '../test/support/app';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { startE2E } from '../test/support/e2e';

const CHANNELS = 1_000;
const CONNECTIONS = 50;
const DURATION_S = 10;

/**
 * `npm run bench -- webhook`: autocannon against our webhook with valid notifications spread over 1,000 channels,
 * and against an Express route that only answers 200, in the same run, 50 connections each.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const target of databaseTargets()) rows.push(await measure(target));
  process.stdout.write(
    [
      `\nwebhook: ${CONNECTIONS} connections, ${DURATION_S} s each, valid notifications over ${CHANNELS} channels`,
      '| database | bare Express 200 (req/s) | our webhook (req/s) | ratio | our p50 | our p99 | bare p99 | non-2xx |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(target: DatabaseTarget): Promise<string> {
  const e = await startE2E(target, { listen: true, quiet: true });
  const bare = express();
  bare.post(WEBHOOK_PATH, (_req, res) => res.status(200).end());
  const bareServer = bare.listen(0, '127.0.0.1');
  await once(bareServer, 'listening');
  try {
    // 1,000 members with a live channel each, written directly: the benchmark is about the webhook.
    const channels = Array.from({ length: CHANNELS }, (_, i) => ({
      member: randomUUID(),
      email: `member${i}@ourco.com`,
      channel: randomUUID(),
      resource: `resource-${i}`,
    }));
    await e.t.db.dataSource.query(
      `INSERT INTO members (id, email) SELECT * FROM unnest($1::uuid[], $2::text[])`,
      [channels.map((c) => c.member), channels.map((c) => c.email)],
    );
    await e.t.db.dataSource.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at)
       SELECT c, m, r, now() + interval '7 days' FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(c, m, r)`,
      [channels.map((c) => c.channel), channels.map((c) => c.member), channels.map((c) => c.resource)],
    );
    const tokens = new HmacChannelTokens(TEST_SECRET_KEY);
    let next = 0;
    const requests = [
      {
        method: 'POST' as const,
        path: WEBHOOK_PATH,
        setupRequest: (request: autocannon.Request) => {
          const c = channels[next++ % CHANNELS]!;
          return {
            ...request,
            headers: {
              'x-goog-channel-id': c.channel,
              'x-goog-channel-token': tokens.sign(c.channel),
              'x-goog-resource-id': c.resource,
              'x-goog-resource-state': 'exists',
              'x-goog-message-number': String(next),
            },
          };
        },
      },
    ];
    const load = (url: string) =>
      autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, requests, pipelining: 1 });
    const baseline = await load(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`);
    const ours = await load(e.serviceUrl!);
    const ratio = ours.requests.average / baseline.requests.average;
    return `| ${target.name} | ${Math.round(baseline.requests.average)} | ${Math.round(ours.requests.average)} | ${ratio.toFixed(2)} | ${ours.latency.p50} ms | ${ours.latency.p99} ms | ${baseline.latency.p99} ms | ${ours.non2xx} |`;
  } finally {
    bareServer.close();
    await e.stop();
  }
}
