import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

import express from 'express';
import type { Container } from 'inversify';
import request from 'supertest';

import { GoogleSandbox, type SandboxOptions } from '../../sandbox/google-sandbox';
import { endpointsAt, type GoogleClientSettings } from '../../src/adapters/google/google-endpoints';
import { parseServiceAccountKey } from '../../src/adapters/google/service-account-key';
import { TOKENS } from '../../src/application/ports/tokens';
import { RetryPolicy } from '../../src/application/retry-policy';
import { SyncCalendar, type SyncOutcome } from '../../src/application/use-cases/sync-calendar.use-case';
import { auth, startTestApp, type TestApp } from './app';
import type { DatabaseTarget } from './databases';

export interface E2E {
  t: TestApp;
  /** The service's own base URL when started with `listen` (Google pushes to it), else null. */
  serviceUrl: string | null;
  sandbox: GoogleSandbox;
  sandboxUrl: string;
  /** Signs the member in through /auth/google and the sandbox's consent, as a browser would. */
  /** A browser that started a sign-in and the callback path the sandbox's consent sends it to, not yet followed. */
  consent(email: string): Promise<{ agent: ReturnType<typeof request.agent>; callbackPath: string }>;
  signIn(email: string): Promise<{ memberId: string; agent: ReturnType<typeof request.agent> }>;
  /** Runs one sync of the member's calendar now (what the worker does when woken). */
  sync(memberId: string): Promise<SyncOutcome>;
  interactions(accountId: string, query?: string): Promise<InteractionJson[]>;
  stop(): Promise<void>;
}

export interface InteractionJson {
  id: string;
  accountId: string;
  type: string;
  title: string;
  date: string;
  startTime: string;
  durationMinutes: number;
  matchedBy: string;
  participants: {
    name: string | null;
    email: string;
    minutesInMeeting: number;
    responseStatus: string | null;
    accountId: string | null;
    matchedBy: string | null;
  }[];
}

/**
 * Google pushes only to https; tests serve the webhook over http on loopback, so their sandbox accepts that one
 * host (the refusal of every other http address stays on).
 */
export const LOOPBACK = ['127.0.0.1'];

/** Backoff without waiting, so fault tests stay fast; the retry logic itself is the real one. */
export const fastRetry = new RetryPolicy({ attempts: 5, baseDelayMs: 1, maxDelayMs: 5 });

/** The service (real container, real googleapis client) against a fresh Google sandbox on a loopback port. */
export async function startE2E(
  target: DatabaseTarget,
  options: {
    env?: NodeJS.ProcessEnv;
    sandbox?: SandboxOptions;
    /** Serve HTTP on a loopback port and make it PUBLIC_URL, so that the sandbox can push to the webhook. */
    listen?: boolean;
    quiet?: boolean;
    /** Rebinds more ports after the fast retry policy (e.g. a worker with shorter timings). */
    configure?: (container: Container) => void;
    /**
     * Domain-wide delegation with the sandbox's service account; `admin` is the Workspace admin who reads the
     * directory (GOOGLE_WORKSPACE_ADMIN), or null for enrolment by email only.
     */
    delegation?: { admin: string | null };
  } = {},
): Promise<E2E> {
  const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK, ...options.sandbox });
  // Under a base path, as GOOGLE_BASE_URL may have one (and the offline sandbox does).
  const host = express();
  host.use('/google', sandbox.app);
  const server: Server = host.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sandboxUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/google`;
  // Listening before the app exists (it needs PUBLIC_URL, which holds the port): a port probed free and taken
  // later may be taken by another test file in between.
  const service = options.listen ? createServer() : null;
  if (service !== null) {
    service.listen(0, '127.0.0.1');
    await once(service, 'listening');
  }
  const port = service === null ? null : (service.address() as AddressInfo).port;
  const env = { ...options.env, ...(port === null ? {} : { PUBLIC_URL: `http://127.0.0.1:${port}` }) };
  const google: GoogleClientSettings = {
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    // Where a browser is sent back after consenting: the service itself when it listens.
    redirectUri: `${port === null ? 'http://localhost:3000' : `http://127.0.0.1:${port}`}/auth/google/callback`,
    endpoints: endpointsAt(sandboxUrl),
  };
  const t = await startTestApp(target, {
    env,
    quiet: options.quiet,
    google: () => google,
    delegation:
      options.delegation === undefined
        ? null
        : {
            key: parseServiceAccountKey(JSON.stringify(sandbox.serviceAccountKey())),
            admin: options.delegation.admin,
          },
    configure: (container) => {
      container.rebind(TOKENS.RetryPolicy).toConstantValue(fastRetry);
      options.configure?.(container);
    },
  }).catch((error: unknown) => {
    // Nothing left listening: an open server would keep jest from exiting.
    service?.close();
    server.close();
    throw error;
  });

  service?.on('request', t.app);

  const consent: E2E['consent'] = async (email) => {
    const agent = request.agent(t.app);
    const start = await agent.get('/auth/google').expect(302);
    sandbox.setConsentingUser(email);
    const approved = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    return { agent, callbackPath: `${callback.pathname}${callback.search}` };
  };

  return {
    t,
    serviceUrl: port === null ? null : `http://127.0.0.1:${port}`,
    sandbox,
    sandboxUrl,
    consent,
    async signIn(email) {
      const { agent, callbackPath } = await consent(email);
      await agent.get(callbackPath).expect(302).expect('Location', '/profile');
      const rows = await t.db.dataSource.query<{ id: string }[]>('SELECT id FROM members WHERE email = $1', [
        email.toLowerCase(),
      ]);
      return { memberId: rows[0]!.id, agent };
    },
    sync: (memberId) => t.container.get(SyncCalendar).execute(memberId),
    async interactions(accountId, query = '') {
      const res = await request(t.app)
        .get(`/api/accounts/${accountId}/interactions${query}`)
        .set(auth)
        .expect(200);
      return (res.body as { interactions: InteractionJson[] }).interactions;
    },
    async stop() {
      if (service) {
        service.closeAllConnections();
        await new Promise<void>((resolve) => service.close(() => resolve()));
      }
      sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.stop();
    },
  };
}

/** An ISO instant `days` from now at the given UTC hour, for events inside the sync window. */
export function at(days: number, hour: number, minute = 0): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  date.setUTCHours(hour, minute, 0, 0);
  return date.toISOString();
}

/** The first port the kernel hands out to outgoing connections and to `listen(0)` (Linux; 32768 elsewhere). */
function ephemeralPortsFrom(): number {
  try {
    return (
      Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768
    );
  } catch {
    return 32768;
  }
}

/**
 * A free port below the kernel's ephemeral range. A service killed and started again on the same port (the crash
 * proof) leaves it unbound for a moment, and an ephemeral port can meanwhile become any connection's local port.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralPortsFrom();
  const low = Math.max(1024, high - 12_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    const probe = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return port;
    }
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

/** Polls until `check` returns something truthy (a push is handled after the answer, so there is no signal). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
