import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './e2e';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp dir, on a free loopback port), so that a
 * test may stop and start it without disturbing the shared server other tests use. Password authentication over
 * TCP, so that DATABASE_URL carries a secret a test can look for in logs.
 */
export interface PrivatePostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  password: string;
  port: number;
  dir: string;
  /** `pg_ctl stop`: `fast` ends sessions with an error and checkpoints; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** `pg_ctl start -w`: resolves once the server accepts connections, on the same port. */
  start(): Promise<void>;
  /** Stops the server if it runs and removes the directory; safe to call twice, never throws. */
  destroy(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
}

/** The directory holding initdb and pg_ctl, or null when PostgreSQL's server binaries are not installed. */
export function postgresBinDir(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // pg_config absent (or only the client part installed): look where Debian puts the servers.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, 'bin')));
  }
  return (
    candidates.find((dir) =>
      ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(path.join(dir, bin))),
    ) ?? null
  );
}

/** Why a private cluster cannot be started here (to skip with), or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (postgresBinDir() === null)
    return 'no PostgreSQL server binaries (initdb, pg_ctl, postgres) via `pg_config --bindir` or /usr/lib/postgresql/*/bin';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root (which PostgreSQL refuses) and there is no `postgres` user to run the cluster as';
    }
  }
  return null;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to (and runs as) the `postgres` user. */
function asClusterOwner(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

const started = new Set<{ pgCtl: string; data: string }>();
let exitHookInstalled = false;

/** Last resort when the test process exits without afterAll (a crash, a forced jest exit): no postgres is left. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { pgCtl, data } of started) {
      try {
        const [command, args] = asClusterOwner(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']);
        execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // Already stopped.
      }
    }
  });
}

export async function startPrivatePostgres(binDir: string): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'private-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = path.join(binDir, 'pg_ctl');
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const exec = async (bin: string, args: string[]) => {
    const [command, argv] = asClusterOwner(bin, args);
    await run(command, argv, { timeout: 30_000 });
  };
  const handle = { pgCtl, data };

  const cluster: PrivatePostgres = {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    password,
    port,
    dir,
    async stop(mode = 'fast') {
      await exec(pgCtl, ['stop', '-D', data, '-m', mode, '-w']);
    },
    async start() {
      // Options on the command line rather than in postgresql.conf: one place, visible in `ps`.
      const options = [
        '-c listen_addresses=127.0.0.1',
        `-p ${port}`,
        `-c unix_socket_directories=${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=40',
      ].join(' ');
      started.add(handle);
      await exec(pgCtl, ['start', '-D', data, '-l', logFile, '-w', '-t', '30', '-o', options]);
    },
    async destroy() {
      // Whatever state a failed test left it in: a postmaster.pid means a server may be running.
      if (existsSync(path.join(data, 'postmaster.pid')))
        await cluster.stop('immediate').catch(() => undefined);
      started.delete(handle);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };

  try {
    installExitHook();
    const pwFile = path.join(dir, 'password');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (asRoot) {
      const owner = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
      const group = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
      chownSync(dir, Number(owner), Number(group));
      chownSync(pwFile, Number(owner), Number(group));
    }
    await exec(path.join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${pwFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    rmSync(pwFile);
    await cluster.start();
    return cluster;
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}
