import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createEmbeddedDataDir } from '../../src/adapters/persistence/embedded-postgres';

const ROOT = path.resolve(__dirname, '../..');

/** The node flags `npm start` gives the service (package.json), so that it runs in tests as it runs deployed. */
export const START_NODE_FLAGS: readonly string[] = /exec node (.*) dist\/src\/main\.js/
  .exec(
    (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start,
  )![1]!
  .split(' ');

export interface ServiceProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port once the service logs that it listens; rejects if it exits first. */
  listening: Promise<number>;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

let template: Promise<string> | null = null;

/**
 * A DATA_DIR holding an embedded database already created (by the service's own initdb, once per test file) and
 * nothing else, for tests about something other than a first start: initdb takes ~6 s.
 */
export async function initialisedDataDir(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'data-template-'));
    await createEmbeddedDataDir(path.join(dir, 'pgdata'));
    return dir;
  })();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'service-'));
  cpSync(await template, dataDir, { recursive: true });
  return dataDir;
}

/** Removes the database `initialisedDataDir` copies from (call after the test file's last test). */
export async function removeDataDirTemplate(): Promise<void> {
  const dir = await template?.catch(() => null);
  template = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Kills what a failed test left running, so that jest can exit. */
export function killServices(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Resolves once the service printed `pattern` on stderr (the development banner comes after it listens). */
export async function stderrMatch(
  service: ServiceProcess,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(service.stderr());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`stderr never matched ${pattern}:\n${service.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `src/main.ts` in a child process, exactly as `npm start` runs its compiled twin. `args` replaces the node
 * arguments, e.g. `[<dir>/src/main.js]` for code compiled beforehand: without the in-process TypeScript compiler,
 * which costs the child about 85 MB of memory, where memory is what the test measures.
 */
export function spawnService(
  env: NodeJS.ProcessEnv,
  args: readonly string[] = ['-r', '@swc-node/register', 'src/main.ts'],
): ServiceProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /"port":(\d+)[^\n]*"msg":"service listening"/.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`service exited with ${code} before listening:\n${err}\n${out}`)),
    );
  });
  listening.catch(() => undefined);
  return { child, stdout: () => out, stderr: () => err, listening, exited };
}

/**
 * Signs `email` in to a running service as a browser does: `/auth/google`, the sandbox's consent form posted as
 * `email` (so that sign-ins may run at once, unlike with the sandbox's single consenting user), then the callback
 * with the state cookie. Throws unless the service redirects to the profile.
 */
export async function signInOverHttp(
  serviceUrl: string,
  email: string,
  /** Where the consent page is reached, when the address the service gives is not (PUBLIC_URL on port 0). */
  consentOrigin?: string,
): Promise<string> {
  const start = await fetch(`${serviceUrl}/auth/google`, { redirect: 'manual' });
  const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
  const authorize = new URL(start.headers.get('location')!);
  const form = new URLSearchParams(authorize.searchParams);
  form.set('email', email);
  const consent = await fetch(`${consentOrigin ?? authorize.origin}${authorize.pathname}/approve`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = new URL(consent.headers.get('location')!);
  const done = await fetch(`${serviceUrl}${callback.pathname}${callback.search}`, {
    headers: { Cookie: cookie },
    redirect: 'manual',
  });
  if (done.status !== 302) throw new Error(`sign-in of ${email} answered ${done.status}`);
  // The signed-in session, for requests made as that member.
  return done.headers
    .getSetCookie()
    .map((setCookie) => setCookie.split(';')[0]!)
    .join('; ');
}
