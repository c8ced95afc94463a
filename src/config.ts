import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';

import { deriveKey } from './adapters/crypto/key-derivation';
import { parseServiceAccountKey, type ServiceAccountKey } from './adapters/google/service-account-key';
import { EmailDomain } from './domain/email';

export const MIN_SECRET_KEY_LENGTH = 32;
const SECRET_KEY_FILE = 'secret.key';

/**
 * The company of the offline demo's team (src/offline-demo.ts): its INTERNAL_DOMAINS when the built-in sandbox
 * runs and none are set, as a real deployment sets its own company's domains.
 */
export const OFFLINE_DEMO_DOMAIN = 'ourco.example';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  /** null: embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  databasePoolSize: number;
  dataDir: string;
  /** null: the built-in Google sandbox. */
  google: { clientId: string; clientSecret: string } | null;
  /** null: Google's real endpoints. */
  googleBaseUrl: string | null;
  /** Neither GOOGLE_CLIENT_ID nor GOOGLE_BASE_URL: the built-in sandbox serves the offline demo. */
  offlineDemo: boolean;
  secretKey: string;
  adminApiKey: string;
  /** Where the admin key came from: a development start prints a derived key so it can be used. */
  adminApiKeySource: 'env' | 'derived';
  adminEmails: string[];
  internalDomains: EmailDomain[];
  syncLookbackDays: number;
  /** How far ahead syncs record occurrences (open-ended series stop there). */
  syncLookaheadDays: number;
  channelTtlSeconds: number;
  renewBeforeSeconds: number;
  /** null: the job is off. */
  renewCron: string | null;
  safetySyncCron: string | null;
  syncMinIntervalMs: number;
  /** How long a calendar's sync claim outlives a crashed instance (renewed every third of it while the sync runs). */
  syncLeaseMs: number;
  /** Calendar API calls per minute for all instances together, and for one member's credentials. */
  googleRequestsPerMinute: number;
  googleUserRequestsPerMinute: number;
  /** How long the change feed keeps changes. */
  changesRetentionDays: number;
  /** Domain-wide delegation: null, members sign in one by one. */
  serviceAccountKey: ServiceAccountKey | null;
  /** The Workspace admin impersonated to read the user directory. */
  workspaceAdmin: string | null;
  /** null: the directory sync job is off. */
  workspaceSyncCron: string | null;
  /** Sign-in starts (GET /auth/google) allowed per client address and minute. */
  authRateLimitPerMinute: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** A configuration problem, worded as the one line an operator needs to fix it. */
export class ConfigError extends Error {}

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\/./.test(value), 'must be a postgres:// or postgresql:// URL');

const cron = z
  .string()
  .trim()
  .refine(
    (value) => value === '' || isValidCron(value),
    'must be a node-cron expression, or empty to turn the job off',
  )
  .transform((value) => (value === '' ? null : value));

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0),
);

const domains = csv.transform((items, ctx) =>
  items.flatMap((item) => {
    const domain = EmailDomain.parse(item);
    if (domain === null) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not a domain` });
      return [];
    }
    return [domain];
  }),
);

const secret = (name: string) =>
  z
    .string()
    .min(
      MIN_SECRET_KEY_LENGTH,
      `must be at least ${MIN_SECRET_KEY_LENGTH} characters (e.g. \`openssl rand -base64 32\`)`,
    )
    .describe(name);

// Unset and empty mean "default" for every variable but the two cron ones, where empty turns the job off.
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  // 0 takes any free port (tests).
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: integer(1, 100).default(10),
  DATA_DIR: z.string().default('./data'),
  GOOGLE_CLIENT_ID: z.string().trim().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_BASE_URL: httpUrl.optional(),
  SECRET_KEY: secret('SECRET_KEY').optional(),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_EMAILS: csv.default([]),
  INTERNAL_DOMAINS: domains.optional(),
  SYNC_LOOKBACK_DAYS: integer(1, 3650).default(90),
  SYNC_LOOKAHEAD_DAYS: integer(1, 3650).default(180),
  CHANNEL_TTL_SECONDS: integer(60, 2_592_000).default(604_800),
  RENEW_BEFORE_SECONDS: integer(0, 2_592_000).default(86_400),
  RENEW_CRON: cron.default('*/10 * * * *'),
  SAFETY_SYNC_CRON: cron.default('0 * * * *'),
  SYNC_MIN_INTERVAL_MS: integer(0, 3_600_000).default(1000),
  SYNC_LEASE_SECONDS: integer(2, 3_600).default(60),
  // Google's default Calendar API quotas: 10,000 per minute per project, 600 per minute per user.
  GOOGLE_REQUESTS_PER_MINUTE: integer(10, 10_000_000).default(10_000),
  GOOGLE_USER_REQUESTS_PER_MINUTE: integer(10, 10_000_000).default(600),
  AUTH_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(30),
  CHANGES_RETENTION_DAYS: integer(1, 3650).default(30),
  GOOGLE_SERVICE_ACCOUNT_KEY: z.string().trim().min(1).optional(),
  GOOGLE_WORKSPACE_ADMIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')
    .optional(),
  WORKSPACE_SYNC_CRON: cron.default('0 3 * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const KEEP_EMPTY = new Set(['RENEW_CRON', 'SAFETY_SYNC_CRON', 'WORKSPACE_SYNC_CRON']);
const SECRET_VARIABLES = new Set(['SECRET_KEY', 'ADMIN_API_KEY', 'GOOGLE_CLIENT_SECRET', 'DATABASE_URL']);

/**
 * Parses the environment once. Throws a ConfigError naming the first bad variable. Outside production, a missing
 * SECRET_KEY is generated once into DATA_DIR (so tokens and cookies survive restarts) and the admin key is
 * derived from it.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && (value !== '' || KEEP_EMPTY.has(key))) input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const shown =
      SECRET_VARIABLES.has(variable) || input[variable] === undefined ? '' : ` (got "${input[variable]}")`;
    throw new ConfigError(`${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;

  const production = e.NODE_ENV === 'production';
  if (production) {
    const missing = ['SECRET_KEY', 'ADMIN_API_KEY', 'GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'].filter(
      (name) => input[name] === undefined,
    );
    if (missing.length > 0) {
      throw new ConfigError(`${missing.join(', ')} must be set when NODE_ENV=production`);
    }
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  if (production && !publicUrl.startsWith('https:')) {
    throw new ConfigError(
      `PUBLIC_URL must be an https URL when NODE_ENV=production: Google pushes only to https (got "${publicUrl}")`,
    );
  }
  if ((e.GOOGLE_CLIENT_ID === undefined) !== (e.GOOGLE_CLIENT_SECRET === undefined)) {
    throw new ConfigError('GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together');
  }

  const offlineDemo = e.GOOGLE_CLIENT_ID === undefined && e.GOOGLE_BASE_URL === undefined;
  const secretKey = e.SECRET_KEY ?? readOrCreateSecretKey(e.DATA_DIR);
  const adminApiKey = e.ADMIN_API_KEY ?? deriveKey(secretKey, 'admin-api-key', 24).toString('base64url');

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicUrl,
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    google:
      e.GOOGLE_CLIENT_ID === undefined || e.GOOGLE_CLIENT_SECRET === undefined
        ? null
        : { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET },
    googleBaseUrl: e.GOOGLE_BASE_URL ?? null,
    secretKey,
    adminApiKey,
    adminApiKeySource: e.ADMIN_API_KEY === undefined ? 'derived' : 'env',
    adminEmails: e.ADMIN_EMAILS,
    offlineDemo,
    internalDomains: e.INTERNAL_DOMAINS ?? (offlineDemo ? [EmailDomain.parse(OFFLINE_DEMO_DOMAIN)!] : []),
    syncLookbackDays: e.SYNC_LOOKBACK_DAYS,
    syncLookaheadDays: e.SYNC_LOOKAHEAD_DAYS,
    channelTtlSeconds: e.CHANNEL_TTL_SECONDS,
    renewBeforeSeconds: e.RENEW_BEFORE_SECONDS,
    renewCron: e.RENEW_CRON,
    safetySyncCron: e.SAFETY_SYNC_CRON,
    syncMinIntervalMs: e.SYNC_MIN_INTERVAL_MS,
    syncLeaseMs: e.SYNC_LEASE_SECONDS * 1000,
    googleRequestsPerMinute: e.GOOGLE_REQUESTS_PER_MINUTE,
    googleUserRequestsPerMinute: e.GOOGLE_USER_REQUESTS_PER_MINUTE,
    authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
    changesRetentionDays: e.CHANGES_RETENTION_DAYS,
    serviceAccountKey:
      e.GOOGLE_SERVICE_ACCOUNT_KEY === undefined ? null : readServiceAccountKey(e.GOOGLE_SERVICE_ACCOUNT_KEY),
    workspaceAdmin: e.GOOGLE_WORKSPACE_ADMIN ?? null,
    workspaceSyncCron: e.WORKSPACE_SYNC_CRON,
    logLevel: e.LOG_LEVEL,
  };
}

/** GOOGLE_SERVICE_ACCOUNT_KEY is a path; the message of a bad file names the problem, never the contents. */
function readServiceAccountKey(file: string): ServiceAccountKey {
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `GOOGLE_SERVICE_ACCOUNT_KEY cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): "${file}"`,
    );
  }
  try {
    return parseServiceAccountKey(json);
  } catch (error) {
    throw new ConfigError(`GOOGLE_SERVICE_ACCOUNT_KEY "${file}" ${(error as Error).message}`);
  }
}

/** The development secret: generated on first start, then read back, readable by this user only. */
function readOrCreateSecretKey(dataDir: string): string {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length < MIN_SECRET_KEY_LENGTH) {
      throw new ConfigError(`${file} holds no usable SECRET_KEY; delete it to generate a new one`);
    }
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(32).toString('base64url');
  writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return generated;
}
