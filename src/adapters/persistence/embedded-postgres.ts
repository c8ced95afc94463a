import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Pool size to use with the embedded database: one connection. pglite-socket queues each protocol message on its
 * own, so the Parse/Bind/Execute of two connections can interleave outside a transaction (seen here: "bind message
 * supplies 3 parameters, but prepared statement requires 1", and a committed write lost). PGlite runs one query
 * at a time anyway, so one connection costs no parallelism; code never awaits a second connection inside a
 * transaction (the unit of work passes the transaction's manager down), so it cannot deadlock on the pool.
 */
export const EMBEDDED_POOL_SIZE = 1;

export interface EmbeddedPostgres {
  /** A `postgres://` URL on loopback for the ordinary `pg` driver. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the database files; omitted: in memory (tests). */
  dataDir?: string;
  /** At least the connection pool's size, or connections beyond it are refused. */
  maxConnections: number;
}

/**
 * PGlite (PostgreSQL compiled to WASM) served on a loopback port, so the service talks to it through the same
 * `pg` driver and migrations as to a PostgreSQL server. PGlite is one backend session behind every socket:
 * callers coordinate with row locks inside transactions, never with session state.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const releaseLock = options.dataDir === undefined ? () => undefined : lockDataDir(options.dataDir);
  try {
    const db =
      options.dataDir === undefined
        ? new PGlite()
        : new PGlite(path.join(path.resolve(options.dataDir), 'pgdata'));
    await db.waitReady;
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: options.maxConnections,
    });
    await server.start();
    const address = server.getServerConn();
    return {
      url: `postgres://postgres@${address}/postgres`,
      async stop() {
        await server.stop();
        await db.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
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
