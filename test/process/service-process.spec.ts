import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { spawnService } from '../support/service-process';

/** The service as an operator runs it: a process with an environment, signals and a data directory. */
describe('service process', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'service-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const adminKeyIn = (stderr: string) => /Authorization: Bearer (\S+?)"/.exec(stderr)?.[1];

  it('starts on embedded PGlite, prints a working admin key, stops on SIGTERM and keeps the data', async () => {
    const first = spawnService({ DATA_DIR: dataDir });
    const port = await first.listening;
    const key = adminKeyIn(first.stderr());
    expect(key).toBeDefined();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const put = await fetch(`${base}/api/accounts`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ id: 'logo', name: 'Logo', domains: ['logo.com'] }]),
    });
    expect(put.status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('"msg":"stopped"');

    const second = spawnService({ DATA_DIR: dataDir });
    const port2 = await second.listening;
    expect(adminKeyIn(second.stderr())).toBe(key);
    const got = await fetch(`http://127.0.0.1:${port2}/api/accounts/logo`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(await got.json()).toEqual({ id: 'logo', name: 'Logo', domains: ['logo.com'], contactCount: 0 });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses a second instance on the same DATA_DIR, and takes over after a crash', async () => {
    const first = spawnService({ DATA_DIR: dataDir });
    await first.listening;
    const intruder = spawnService({ DATA_DIR: dataDir });
    expect(await intruder.exited).toBe(1);
    expect(intruder.stderr()).toMatch(/DATA_DIR .* is in use by process \d+/);

    first.child.kill('SIGKILL');
    await first.exited;
    const after = spawnService({ DATA_DIR: dataDir });
    const port = await after.listening;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    after.child.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  });

  it.each([
    [{ PORT: 'abc' }, 'Configuration error: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [
      { NODE_ENV: 'production' },
      'Configuration error: SECRET_KEY, ADMIN_API_KEY, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET must be set when NODE_ENV=production',
    ],
  ])('stops at once with one clear line on a bad environment %j', async (env, line) => {
    const service = spawnService({ DATA_DIR: dataDir, ...env });
    expect(await service.exited).toBe(78);
    expect(service.stderr().trim()).toBe(line);
  });
});
