import autocannon from 'autocannon';

import type { SandboxChannel } from '../sandbox/types';
import { WEBHOOK_PATH } from '../src/adapters/http/webhook.router';
import { signInOverHttp } from '../test/support/service-process';
import {
  cpuSecondsOf,
  type DatabaseKind,
  databaseKinds,
  startReference,
  startServiceOnSandbox,
} from './processes';

const MEMBERS = 20;
const CONNECTIONS = 50;
const WARMUP_S = 1;
const DURATION_S = 5;
const ROUNDS = 3;

/** One load of a server: autocannon's figures, and the CPU its process used per request meanwhile. */
interface Load extends autocannon.Result {
  cpuUsPerRequest: number;
}

interface Round {
  reference: Load;
  bare: Load;
  service: Load;
}

/**
 * `npm run bench -- webhook`: our webhook against an Express 5 app whose one POST route only answers 200 (the
 * reference), and against Node's HTTP server alone answering 200 (bare Node: the floor), each in its own process
 * (the service as `npm start` runs it), loaded by autocannon from this process at 50 connections: 3 rounds, each
 * starting with the next of the three, each load a 1 s warm-up then 5 s measured. The requests are valid Google
 * pushes (`exists`, every header Google sends) over the live channels of 20 members who signed in through the
 * sandbox's consent page, with their real channel tokens and resource ids. `BENCH_SYNC_MIN_INTERVAL_MS` sets the
 * service's SYNC_MIN_INTERVAL_MS (1,000 by default): how often the pushes make it sync each calendar. Each server's
 * CPU per request is its process's CPU time (every thread, from /proc) over the measured seconds, divided by the
 * requests it answered; the database server's is not counted.
 */
export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const kind of databaseKinds()) rows.push(await measure(kind));
  process.stdout.write(
    [
      `\nwebhook: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s, valid pushes over ${MEMBERS} live channels`,
      '| database | reference (req/s) | our webhook (req/s) | ratio (median of rounds) | ratios per round | bare Node (req/s) | ours ÷ bare Node | our p50 | our p99 | reference p99 | non-2xx | CPU per request, ours / reference / bare Node (µs) |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(kind: DatabaseKind): Promise<string> {
  const { sandbox, service, stop } = await startServiceOnSandbox(kind, {
    ADMIN_API_KEY: 'bench-admin-key-0123456789',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    SYNC_MIN_INTERVAL_MS: process.env.BENCH_SYNC_MIN_INTERVAL_MS ?? '1000',
  });
  const reference = await startReference(WEBHOOK_PATH);
  const bare = await startReference(WEBHOOK_PATH, true);
  try {
    const channels: SandboxChannel[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const email = `member${i}@ourco.com`;
      sandbox.addUser({ email, timeZone: 'Europe/Paris' });
      await signInOverHttp(service.url, email);
      const [channel] = sandbox.channels(email);
      if (channel === undefined) throw new Error(`${email} has no live channel after signing in`);
      channels.push(channel);
    }
    let sent = 0;
    const requests = [
      {
        method: 'POST' as const,
        path: WEBHOOK_PATH,
        setupRequest: (request: autocannon.Request) => {
          const channel = channels[sent % channels.length]!;
          sent++;
          return {
            ...request,
            headers: {
              'x-goog-channel-id': channel.id,
              'x-goog-channel-token': channel.token!,
              'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
              'x-goog-resource-id': channel.resourceId,
              'x-goog-resource-uri': channel.resourceUri,
              'x-goog-resource-state': 'exists',
              'x-goog-message-number': String(1000 + sent),
            },
          };
        },
      },
    ];
    const load = async (server: { url: string; pid: number }): Promise<Load> => {
      await autocannon({ url: server.url, connections: CONNECTIONS, duration: WARMUP_S, requests });
      const cpuBefore = cpuSecondsOf(server.pid);
      const result = await autocannon({
        url: server.url,
        connections: CONNECTIONS,
        duration: DURATION_S,
        requests,
      });
      const cpuUsPerRequest = ((cpuSecondsOf(server.pid) - cpuBefore) * 1e6) / result.requests.total;
      return { ...result, cpuUsPerRequest };
    };
    const rounds: Round[] = [];
    const servers = { reference, bare, service } as const;
    const order = ['reference', 'bare', 'service'] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const loads: Partial<Round> = {};
      for (let i = 0; i < order.length; i++) {
        const which = order[(round + i) % order.length]!;
        loads[which] = await load(servers[which]);
      }
      rounds.push(loads as Round);
    }
    const ratios = rounds.map((r) => r.service.requests.average / r.reference.requests.average);
    const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const non2xx = rounds.reduce((sum, r) => sum + r.service.non2xx + r.service.errors, 0);
    return [
      kind,
      Math.round(mid(rounds.map((r) => r.reference.requests.average))),
      Math.round(mid(rounds.map((r) => r.service.requests.average))),
      mid(ratios).toFixed(2),
      ratios.map((ratio) => ratio.toFixed(2)).join(' / '),
      Math.round(mid(rounds.map((r) => r.bare.requests.average))),
      mid(rounds.map((r) => r.service.requests.average / r.bare.requests.average)).toFixed(2),
      `${mid(rounds.map((r) => r.service.latency.p50))} ms`,
      `${mid(rounds.map((r) => r.service.latency.p99))} ms`,
      `${mid(rounds.map((r) => r.reference.latency.p99))} ms`,
      non2xx,
      (['service', 'reference', 'bare'] as const)
        .map((which) => Math.round(mid(rounds.map((r) => r[which].cpuUsPerRequest))))
        .join(' / '),
    ]
      .join(' | ')
      .replace(/^/, '| ')
      .concat(' |');
  } finally {
    await reference.stop();
    await bare.stop();
    await stop();
  }
}
