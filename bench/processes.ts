import { execFileSync } from 'node:child_process';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { AddressInfo } from 'node:net';

import type { DataSource } from 'typeorm';

import { GoogleSandbox } from '../sandbox/google-sandbox';
import { createDataSource } from '../src/adapters/persistence/data-source';
import { startEmbeddedPostgres } from '../src/adapters/persistence/embedded-postgres';
import { RecordingLogger } from '../test/support/logger';
import { databaseUrl, withClient } from '../test/support/databases';
import { freePort, LOOPBACK } from '../test/support/e2e';
import { START_NODE_FLAGS, spawnService } from '../test/support/service-process';

const ROOT = path.resolve(__dirname, '..');

export type DatabaseKind = 'embedded' | 'postgres';

/**
 * The databases a bench runs against: the embedded one always, PostgreSQL when TEST_DATABASE_URL is set;
 * BENCH_DATABASES=postgres (or embedded) keeps one of them.
 */
export function databaseKinds(): DatabaseKind[] {
  const kinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
  const only = process.env.BENCH_DATABASES?.split(',');
  return only ? kinds.filter((kind) => only.includes(kind)) : kinds;
}

/** Compiles the service as `npm start` does, once per bench run. */
let built = false;
export function buildService(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

export interface RunningService {
  url: string;
  pid: number;
  /** Peak (VmHWM) and current (VmRSS) resident memory of the service's process, in MB. */
  memory(): { peakMb: number; rssMb: number };
  stop(): Promise<void>;
}

/**
 * The service as `npm start` runs it (compiled, `node <flags> dist/src/main.js`), in its own process, on the
 * embedded database (a fresh DATA_DIR) or on a fresh database of TEST_DATABASE_URL's server.
 */
export async function startService(
  kind: DatabaseKind,
  env: NodeJS.ProcessEnv,
  /** Fills the database (migrated, before the service starts), e.g. with more rows than an API would take. */
  seed?: (dataSource: DataSource) => Promise<void>,
): Promise<RunningService> {
  buildService();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-service-'));
  const serverUrl = process.env.TEST_DATABASE_URL;
  const database = `bench_${Date.now()}_${process.pid}`;
  if (kind === 'postgres') {
    await withClient(serverUrl!, (client) => client.query(`CREATE DATABASE "${database}"`));
  }
  if (seed !== undefined) {
    await seedDatabase(kind === 'postgres' ? databaseUrl(serverUrl!, database) : { dataDir }, seed);
  }
  const service = spawnService(
    {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      ...(kind === 'postgres' ? { DATABASE_URL: databaseUrl(serverUrl!, database) } : {}),
      ...env,
    },
    [...START_NODE_FLAGS, ...profileFlags(), 'dist/src/main.js'],
  );
  try {
    await service.listening;
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const pid = service.child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    memory: () => memoryOf(pid),
    async stop() {
      service.child.kill('SIGTERM');
      await service.exited;
      rmSync(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') {
        await withClient(serverUrl!, (client) =>
          client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
        );
      }
    },
  };
}

/** Migrates the service's database (a DATA_DIR the service will open, or a server's database) and fills it. */
async function seedDatabase(
  where: string | { dataDir: string },
  seed: (dataSource: DataSource) => Promise<void>,
): Promise<void> {
  const embedded =
    typeof where === 'string'
      ? null
      : await startEmbeddedPostgres({ dataDir: where.dataDir, maxConnections: 2 });
  const dataSource = createDataSource({
    url: embedded?.url ?? (where as string),
    poolSize: 1,
    logger: new RecordingLogger(),
  });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await seed(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

/** BENCH_PROFILE_DIR=<dir>: the service and the reference write a CPU profile there when they stop (`node --cpu-prof`). */
function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** Clock ticks per second of /proc's CPU times. */
let clockTicks: number | undefined;

/** CPU time a process has used so far, all its threads, user and system, in seconds. */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th of them.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

export interface ReferenceProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `bench/reference-process.ts` in its own node process: an Express 5 app whose one POST route answers 200, or
 * (`bare`) Node's HTTP server alone answering 200 to that route.
 */
export async function startReference(routePath: string, bare = false): Promise<ReferenceProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...profileFlags(),
      '-r',
      '@swc-node/register',
      path.join(__dirname, 'reference-process.ts'),
      routePath,
      ...(bare ? ['bare'] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /listening on (\d+)/.exec(line.toString())?.[1];
  if (!port) throw new Error(`reference process said: ${line.toString()}`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export interface ServiceOnSandbox {
  sandbox: GoogleSandbox;
  googleBase: string;
  service: RunningService;
  stop(): Promise<void>;
}

/** A sandbox Google on a loopback port in this process, and the service (see startService) pointed at it. */
export async function startServiceOnSandbox(
  kind: DatabaseKind,
  env: NodeJS.ProcessEnv,
  seed?: (dataSource: DataSource) => Promise<void>,
): Promise<ServiceOnSandbox> {
  const sandbox = new GoogleSandbox({ httpWebhookHosts: LOOPBACK });
  const server = sandbox.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const googleBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closeSandbox = () => {
    sandbox.close();
    server.closeAllConnections();
    server.close();
  };
  let service: RunningService;
  try {
    service = await startService(
      kind,
      {
        GOOGLE_BASE_URL: googleBase,
        GOOGLE_CLIENT_ID: sandbox.clientId,
        GOOGLE_CLIENT_SECRET: sandbox.clientSecret,
        SECRET_KEY: 'bench-secret-key-0123456789-0123456789',
        ...env,
      },
      seed,
    );
  } catch (error) {
    closeSandbox();
    throw error;
  }
  return {
    sandbox,
    googleBase,
    service,
    async stop() {
      await service.stop();
      closeSandbox();
    },
  };
}
