import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

/**
 * Pool size to use with the embedded database: one connection. pglite-socket queues each protocol message on its
 * own, so the Parse/Bind/Execute of two connections can interleave outside a transaction (seen here: "bind message
 * supplies 3 parameters, but prepared statement requires 1", and a committed write lost). PGlite runs one query
 * at a time anyway, so one connection costs no parallelism; code never awaits a second connection inside a
 * transaction (the unit of work passes the transaction's manager down), so it cannot deadlock on the pool.
 */
export const EMBEDDED_POOL_SIZE = 1;

/**
 * PostgreSQL settings of the embedded database. PGlite's default 128 MB of shared buffers are touched at start
 * and stay resident; the data files sit in the OS page cache anyway, so a smaller pool costs little.
 */
export const EMBEDDED_SETTINGS = ['shared_buffers = 16MB'];

export interface EmbeddedPostgres {
  /** A `postgres://` URL on loopback for the ordinary `pg` driver. */
  readonly url: string;
  /** The whole cluster as a tar archive (PGlite's `dumpDataDir`), after a checkpoint. */
  dump(): Promise<Uint8Array>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the database files; omitted: in memory (tests). */
  dataDir?: string;
  /** At least the connection pool's size, or connections beyond it are refused. */
  maxConnections: number;
  /**
   * In memory only: start from this archive (`dump()` of another embedded database) instead of a new cluster.
   * Tests start each database from a migrated one: a new in-memory cluster takes PGlite's initdb, about 4 s.
   */
  initialData?: Uint8Array;
}

const PGLITE = require.resolve('@electric-sql/pglite');
const PGLITE_SOCKET = require.resolve('@electric-sql/pglite-socket');

/*
 * The worker's and the child's code are plain JavaScript given as source, not modules of ours: the service runs
 * compiled, but tests and `npm run dev` run TypeScript, and loading a TypeScript compiler into each worker and
 * child would cost them most of a second.
 */

/** The database's thread: PGlite behind a loopback socket until told to stop. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.pgliteSocket);
(async () => {
  const initialData = workerData.initialData;
  const db = initialData === undefined
    ? new PGlite(workerData.dataDir, { postgresqlconf: workerData.settings })
    : new PGlite('memory://', { postgresqlconf: workerData.settings, loadDataDir: new Blob([initialData]) });
  await db.waitReady;
  const server = new PGLiteSocketServer({
    db, host: '127.0.0.1', port: 0, maxConnections: workerData.maxConnections,
  });
  await server.start();
  parentPort.on('message', async (message) => {
    if (message === 'dump') {
      try {
        await db.exec('CHECKPOINT');
        const bytes = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
        parentPort.postMessage({ type: 'dump', bytes }, [bytes.buffer]);
      } catch (error) {
        parentPort.postMessage({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    if (message !== 'stop') return;
    await server.stop();
    await db.close();
    process.exit(0);
  });
  parentPort.postMessage({ type: 'listening', address: server.getServerConn() });
})().catch((error) => {
  parentPort.postMessage({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
});
`;

/** `node -e INITDB_SOURCE <pglite> <pgdata> <settings>`: creates a data directory and exits. */
const INITDB_SOURCE = `
const { PGlite } = require(process.argv[1]);
(async () => {
  const db = new PGlite(process.argv[2], { postgresqlconf: JSON.parse(process.argv[3]) });
  await db.waitReady;
  await db.close();
})().catch((error) => {
  process.stderr.write(String(error instanceof Error ? error.message : error) + '\\n');
  process.exit(1);
});
`;

type WorkerMessage =
  | { type: 'listening'; address: string }
  | { type: 'dump'; bytes: Uint8Array }
  | { type: 'failed'; error: string };

function explain(message: WorkerMessage): string {
  return message.type === 'failed' ? message.error : `unexpected ${message.type}`;
}

/**
 * PGlite (PostgreSQL compiled to WASM) served on a loopback port, so the service talks to it through the same
 * `pg` driver and migrations as to a PostgreSQL server. PGlite is one backend session behind every socket:
 * callers coordinate with row locks inside transactions, never with session state.
 *
 * It runs in a worker thread: a long statement (a sync's page) then runs beside the HTTP server instead of
 * stopping it. A new data directory is created by a short-lived child process, as PGlite's initdb needs ~700 MB
 * that the service's process would otherwise keep as its peak for good.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (options.initialData !== undefined && options.dataDir !== undefined)
    throw new Error('initialData starts an in-memory database; a data directory has its own');
  const releaseLock = options.dataDir === undefined ? () => undefined : lockDataDir(options.dataDir);
  try {
    const pgdata =
      options.dataDir === undefined ? undefined : path.join(path.resolve(options.dataDir), 'pgdata');
    if (pgdata !== undefined && !existsSync(path.join(pgdata, 'PG_VERSION')))
      await createEmbeddedDataDir(pgdata);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        pglite: PGLITE,
        pgliteSocket: PGLITE_SOCKET,
        dataDir: pgdata,
        maxConnections: options.maxConnections,
        settings: EMBEDDED_SETTINGS,
        initialData: options.initialData,
      },
      // Not the parent's: the heap limit of `npm start` is the service's own (PGlite's memory is WASM, not heap).
      execArgv: [],
    });
    // Taken now: a worker that died meanwhile has no 'exit' left to wait for at stop.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const [started] = (await once(worker, 'message')) as [WorkerMessage];
    if (started.type !== 'listening') {
      await worker.terminate();
      throw new Error(`the embedded database did not start: ${explain(started)}`);
    }
    let stopped: Promise<void> | null = null;
    return {
      url: `postgres://postgres@${started.address}/postgres`,
      async dump() {
        worker.postMessage('dump');
        const [answer] = (await once(worker, 'message')) as [WorkerMessage];
        if (answer.type === 'dump') return answer.bytes;
        throw new Error(`the embedded database was not dumped: ${explain(answer)}`);
      },
      stop() {
        stopped ??= (async () => {
          worker.postMessage('stop');
          await exited;
          releaseLock();
        })();
        return stopped;
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/** Creates a PGlite data directory (initdb) in a short-lived child process; see startEmbeddedPostgres. */
export async function createEmbeddedDataDir(pgdata: string): Promise<void> {
  await promisify(execFile)(process.execPath, [
    '-e',
    INITDB_SOURCE,
    PGLITE,
    pgdata,
    JSON.stringify(EMBEDDED_SETTINGS),
  ]);
}

/**
 * Two processes writing one PGlite directory would corrupt it: the first to start holds `pglite.lock` with its
 * pid; a lock whose process is gone (a crash, kill -9) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createLockFile(lockFile)) return () => rmSync(lockFile, { force: true });
    const holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder}; stop it first or give this instance another DATA_DIR`,
      );
    }
    rmSync(lockFile, { force: true });
  }
  throw new Error(`Could not lock DATA_DIR ${dataDir}: another process keeps taking the lock`);
}

/** Creates the lock file holding our pid; false when it exists already. */
function createLockFile(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
