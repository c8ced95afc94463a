import type { RequestListener } from 'node:http';

import type { Container } from 'inversify';

import { endpointsAt, type GoogleClientSettings } from '../../src/adapters/google/google-endpoints';
import { createApp } from '../../src/adapters/http/app';
import { type Config, loadConfig } from '../../src/config';
import { buildContainer, type DelegationSettings } from '../../src/container';
import type { DatabaseTarget, TestDatabase } from './databases';
import { RecordingLogger } from './logger';

const NO_GOOGLE: GoogleClientSettings = {
  clientId: 'unused',
  clientSecret: 'unused',
  redirectUri: 'http://127.0.0.1:9/auth/google/callback',
  endpoints: endpointsAt('http://127.0.0.1:9'),
};

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789-0123456789';

export function testConfig(env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    INTERNAL_DOMAINS: 'ourco.com',
    // Suites sign in many members from one address; the limit itself is tested with its default.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
}

export interface TestApp {
  app: RequestListener;
  container: Container;
  db: TestDatabase;
  logger: RecordingLogger;
  stop(): Promise<void>;
}

/** The real container and express app on a test database; `configure` may rebind ports before the app is built. */
export async function startTestApp(
  target: DatabaseTarget,
  options: {
    env?: NodeJS.ProcessEnv;
    configure?: (container: Container) => void;
    /** The Google the service talks to; by default an address nothing answers on (tests that need no Google). */
    google?: () => GoogleClientSettings;
    /** Benchmarks keep no log lines (the recording logger would keep every one in memory). */
    quiet?: boolean;
    /** Domain-wide delegation, as GOOGLE_SERVICE_ACCOUNT_KEY and GOOGLE_WORKSPACE_ADMIN configure it. */
    delegation?: DelegationSettings | null;
  } = {},
): Promise<TestApp> {
  const db = await target.start();
  const logger = new RecordingLogger([], {}, !options.quiet);
  const container = buildContainer({
    config: testConfig(options.env),
    logger,
    dataSource: db.dataSource,
    google: options.google ?? (() => ({ ...NO_GOOGLE })),
    delegation: options.delegation ?? null,
  });
  options.configure?.(container);
  return {
    app: createApp(container),
    container,
    db,
    logger,
    stop: () => db.stop(),
  };
}

export const auth = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
