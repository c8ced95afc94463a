import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { auth, calendar_v3 } from '@googleapis/calendar';
import express from 'express';

import type { GoogleErrorBody } from '../../sandbox/google-errors';
import { GoogleSandbox, type SandboxOptions } from '../../sandbox/google-sandbox';

/** Monday 2 March 2026, 09:00 UTC: the sandbox's injected "now" in every test. */
export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';
export const REDIRECT_URI = 'http://localhost:3000/auth/google/callback';
export const ADA = 'ada@ourco.com';
export const GRACE = 'grace@ourco.com';

export type OAuth2Client = InstanceType<typeof auth.OAuth2>;

export class TestClock {
  ms = T0;
  readonly now = (): Date => new Date(this.ms);

  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  sandbox: GoogleSandbox;
  clock: TestClock;
  /** Where the sandbox app is mounted. */
  base: string;
  stop(): Promise<void>;
}

export async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Mounts the sandbox at `mountPath` of a local server. Note: calendar_v3 resolves its paths against the origin
 * of a constructor-level `rootUrl`, dropping any path in it, so Calendar clients need the sandbox at the root
 * (or a per-call `rootUrl`).
 */
export async function startSandbox(options: SandboxOptions = {}, mountPath = ''): Promise<Harness> {
  const clock = new TestClock();
  const sandbox = new GoogleSandbox({
    now: clock.now,
    pushRetry: { attempts: 3, baseDelayMs: 1 },
    ...options,
  });
  sandbox.addUser({ email: ADA, name: 'Ada Lovelace', timeZone: 'Europe/London' });
  sandbox.addUser({ email: GRACE, name: 'Grace Hopper', timeZone: 'America/New_York' });
  const host = express();
  host.use(mountPath || '/', sandbox.app);
  const { server, url } = await listen(host);
  return {
    sandbox,
    clock,
    base: `${url}${mountPath}`,
    stop: async () => {
      sandbox.close();
      await close(server);
    },
  };
}

export function oauthClient(h: Harness, extra: { forceRefreshOnFailure?: boolean } = {}): OAuth2Client {
  return new auth.OAuth2({
    clientId: h.sandbox.clientId,
    clientSecret: h.sandbox.clientSecret,
    redirectUri: REDIRECT_URI,
    endpoints: {
      oauth2TokenUrl: `${h.base}/token`,
      oauth2AuthBaseUrl: `${h.base}/o/oauth2/v2/auth`,
      oauth2RevokeUrl: `${h.base}/revoke`,
    },
    ...extra,
  });
}

export function calendarClient(h: Harness, client: OAuth2Client): calendar_v3.Calendar {
  return new calendar_v3.Calendar({ auth: client, rootUrl: `${h.base}/` });
}

/** Consents as `email` (the sandbox redirects at once) and returns the redirect's query. */
export async function consent(
  h: Harness,
  client: OAuth2Client,
  options: { email: string; accessType?: 'online' | 'offline'; prompt?: string; state?: string },
): Promise<URLSearchParams> {
  h.sandbox.setConsentingUser(options.email);
  const url = client.generateAuthUrl({
    access_type: options.accessType ?? 'offline',
    scope: SCOPE,
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

/** A member who went through consent: an OAuth client holding offline tokens, and a Calendar client on it. */
export async function connect(
  h: Harness,
  email: string,
  extra: { forceRefreshOnFailure?: boolean } = {},
): Promise<{ client: OAuth2Client; calendar: calendar_v3.Calendar }> {
  const client = oauthClient(h, extra);
  const code = (await consent(h, client, { email, prompt: 'consent' })).get('code')!;
  const { tokens } = await client.getToken(code);
  client.setCredentials(tokens);
  return { client, calendar: calendarClient(h, client) };
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** The gaxios error of a rejected call (Google's error body by default), for assertions on status and body. */
export async function failure<Body = GoogleErrorBody>(
  promise: Promise<unknown>,
): Promise<{ status: number; data: Body }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; response?: { status: number; data: Body } };
    return { status: e.status ?? e.response!.status, data: e.response!.data };
  }
  throw new Error('expected the call to fail');
}

export interface Notification {
  headers: Record<string, string>;
  bodyBytes: number;
}

export interface Receiver {
  url: string;
  notifications: Notification[];
  /** Statuses to answer, in order; 200 once they are used up. */
  replies: number[];
  stop(): Promise<void>;
}

/** A webhook endpoint that records Google's push notifications. */
export async function startReceiver(): Promise<Receiver> {
  const app = express();
  const notifications: Notification[] = [];
  const replies: number[] = [];
  app.post('/hook', (req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      notifications.push({ headers: { ...req.headers } as Record<string, string>, bodyBytes });
      res.status(replies.shift() ?? 200).end();
    });
  });
  const { server, url } = await listen(app);
  return { url: `${url}/hook`, notifications, replies, stop: () => close(server) };
}

export const minutes = (n: number): number => n * 60_000;
export const hours = (n: number): number => n * 3_600_000;
export const days = (n: number): number => n * 86_400_000;

/** A JSON fixture in Google's documented shape, from test/fixtures/google. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'google', name), 'utf8'));
}
