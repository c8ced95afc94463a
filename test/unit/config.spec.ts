import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ConfigError, loadConfig, OFFLINE_DEMO_DOMAIN } from '../../src/config';
import { PublicListsDomainKnowledge } from '../../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import { AccountMatcher } from '../../src/domain/account-matcher';
import { DEMO_MEMBERS } from '../../src/offline-demo';

const SECRET = 'a-secret-key-of-at-least-32-characters!';

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies the documented defaults', () => {
    const config = loadConfig({ SECRET_KEY: SECRET, DATA_DIR: dataDir });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: null,
      google: null,
      googleBaseUrl: null,
      adminEmails: [],
      syncLookbackDays: 90,
      channelTtlSeconds: 604_800,
      renewBeforeSeconds: 86_400,
      renewCron: '*/10 * * * *',
      safetySyncCron: '0 * * * *',
      syncMinIntervalMs: 1000,
      syncLeaseMs: 60_000,
      googleRequestsPerMinute: 10_000,
      googleUserRequestsPerMinute: 600,
      authRateLimitPerMinute: 30,
      syncLookaheadDays: 180,
    });
  });

  it('parses lists, URLs and numbers', () => {
    const config = loadConfig({
      SECRET_KEY: SECRET,
      PORT: '8080',
      PUBLIC_URL: 'https://cal.example.com/',
      DATABASE_URL: 'postgres://u@db:5432/app',
      ADMIN_EMAILS: ' Boss@OurCo.com, ops@ourco.com ,',
      INTERNAL_DOMAINS: 'OurCo.com, ourco.io',
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      GOOGLE_BASE_URL: 'http://127.0.0.1:4000',
      GOOGLE_REQUESTS_PER_MINUTE: '50000',
      GOOGLE_USER_REQUESTS_PER_MINUTE: '1200',
      AUTH_RATE_LIMIT_PER_MINUTE: '5',
    });
    expect(config.authRateLimitPerMinute).toBe(5);
    expect(config.googleRequestsPerMinute).toBe(50_000);
    expect(config.googleUserRequestsPerMinute).toBe(1_200);
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('https://cal.example.com');
    expect(config.databaseUrl).toBe('postgres://u@db:5432/app');
    expect(config.adminEmails).toEqual(['boss@ourco.com', 'ops@ourco.com']);
    expect(config.internalDomains.map((d) => d.value)).toEqual(['ourco.com', 'ourco.io']);
    expect(config.google).toEqual({ clientId: 'id', clientSecret: 'secret' });
    expect(config.googleBaseUrl).toBe('http://127.0.0.1:4000');
  });

  it("makes the offline demo's own company internal, and only the offline demo", () => {
    const domains = (env: NodeJS.ProcessEnv) =>
      loadConfig({ SECRET_KEY: SECRET, DATA_DIR: dataDir, ...env }).internalDomains.map((d) => d.value);
    expect(domains({})).toEqual([OFFLINE_DEMO_DOMAIN]);
    expect(domains({ INTERNAL_DOMAINS: '' })).toEqual([OFFLINE_DEMO_DOMAIN]);
    expect(domains({ INTERNAL_DOMAINS: 'ourco.com' })).toEqual(['ourco.com']);
    expect(domains({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' })).toEqual([]);
    expect(domains({ GOOGLE_BASE_URL: 'http://127.0.0.1:4000' })).toEqual([]);
  });

  it('never matches the offline demo team, so the demo lists none of them as unmatched', () => {
    const { internalDomains } = loadConfig({ SECRET_KEY: SECRET, DATA_DIR: dataDir });
    const matcher = new AccountMatcher(new PublicListsDomainKnowledge(), internalDomains);
    const lookups = { contactsByEmail: new Map(), accountIdsByDomain: new Map() };
    expect(DEMO_MEMBERS.map((m) => matcher.match(m.email, new Set(), lookups).reason)).toEqual(
      DEMO_MEMBERS.map(() => 'internal'),
    );
  });

  it('turns a job off with an empty cron expression', () => {
    const config = loadConfig({ SECRET_KEY: SECRET, RENEW_CRON: '', SAFETY_SYNC_CRON: '' });
    expect(config.renewCron).toBeNull();
    expect(config.safetySyncCron).toBeNull();
  });

  it.each([
    ['PORT', 'abc', /^PORT must be a whole number from 0 to 65535 \(got "abc"\)$/],
    ['PORT', '70000', /^PORT must be at most 65535/],
    ['PUBLIC_URL', 'cal.example.com', /^PUBLIC_URL must be an absolute http\(s\) URL/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/],
    ['INTERNAL_DOMAINS', 'ourco.com, not a domain', /^INTERNAL_DOMAINS "not a domain" is not a domain/],
    ['RENEW_CRON', 'every ten minutes', /^RENEW_CRON must be a node-cron expression/],
    ['SYNC_LOOKBACK_DAYS', '-1', /^SYNC_LOOKBACK_DAYS must be a whole number/],
    ['SECRET_KEY', 'short', /^SECRET_KEY must be at least 32 characters/],
    ['NODE_ENV', 'staging', /^NODE_ENV /],
    ['GOOGLE_REQUESTS_PER_MINUTE', '5', /^GOOGLE_REQUESTS_PER_MINUTE must be at least 10 \(got "5"\)$/],
    ['GOOGLE_USER_REQUESTS_PER_MINUTE', '1e3', /^GOOGLE_USER_REQUESTS_PER_MINUTE must be a whole number/],
    ['AUTH_RATE_LIMIT_PER_MINUTE', '0', /^AUTH_RATE_LIMIT_PER_MINUTE must be at least 1/],
  ])('stops with one line naming %s when it is %j', (name, value, message) => {
    expect(() => loadConfig({ SECRET_KEY: SECRET, DATA_DIR: dataDir, [name]: value })).toThrow(message);
  });

  it('never repeats a secret value in its error', () => {
    try {
      loadConfig({ SECRET_KEY: 'too-short-secret' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('too-short-secret');
    }
  });

  it('requires both halves of the OAuth client', () => {
    expect(() => loadConfig({ SECRET_KEY: SECRET, GOOGLE_CLIENT_ID: 'id' })).toThrow(
      'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together',
    );
  });

  describe('in production', () => {
    it('refuses to start without secrets and real Google credentials, naming each', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })).toThrow(
        'SECRET_KEY, ADMIN_API_KEY, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET must be set when NODE_ENV=production',
      );
      expect(() =>
        loadConfig({
          NODE_ENV: 'production',
          SECRET_KEY: SECRET,
          GOOGLE_CLIENT_ID: 'id',
          GOOGLE_CLIENT_SECRET: 's',
        }),
      ).toThrow('ADMIN_API_KEY must be set when NODE_ENV=production');
    });

    it('never writes a generated secret', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir })).toThrow(ConfigError);
      expect(() => statSync(path.join(dataDir, 'secret.key'))).toThrow();
    });

    it('starts with everything set', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        SECRET_KEY: SECRET,
        ADMIN_API_KEY: 'an-admin-key-long-enough',
        GOOGLE_CLIENT_ID: 'id',
        GOOGLE_CLIENT_SECRET: 'secret',
        PUBLIC_URL: 'https://calendar.example.com',
      });
      expect(config.adminApiKeySource).toBe('env');
    });

    it('refuses an http PUBLIC_URL: Google pushes only to https', () => {
      expect(() =>
        loadConfig({
          NODE_ENV: 'production',
          SECRET_KEY: SECRET,
          ADMIN_API_KEY: 'an-admin-key-long-enough',
          GOOGLE_CLIENT_ID: 'id',
          GOOGLE_CLIENT_SECRET: 'secret',
          PUBLIC_URL: 'http://calendar.example.com',
        }),
      ).toThrow(
        'PUBLIC_URL must be an https URL when NODE_ENV=production: Google pushes only to https (got "http://calendar.example.com")',
      );
    });
  });

  describe('in development', () => {
    it('generates SECRET_KEY once into DATA_DIR, readable by its owner only, and reuses it', () => {
      const first = loadConfig({ DATA_DIR: dataDir });
      const file = path.join(dataDir, 'secret.key');
      expect(readFileSync(file, 'utf8').trim()).toBe(first.secretKey);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(first.secretKey.length).toBeGreaterThanOrEqual(32);
      const second = loadConfig({ DATA_DIR: dataDir });
      expect(second.secretKey).toBe(first.secretKey);
    });

    it('derives a stable admin key from the secret, so the printed key keeps working after a restart', () => {
      const first = loadConfig({ DATA_DIR: dataDir });
      expect(first.adminApiKeySource).toBe('derived');
      expect(first.adminApiKey).not.toContain(first.secretKey);
      expect(loadConfig({ DATA_DIR: dataDir }).adminApiKey).toBe(first.adminApiKey);
      expect(loadConfig({ SECRET_KEY: SECRET }).adminApiKey).not.toBe(first.adminApiKey);
    });
  });
});
