import { parentPort, workerData } from 'node:worker_threads';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedWorkerData {
  /** PGlite's data directory (already initialised); undefined: in memory. */
  dataDir: string | undefined;
  maxConnections: number;
  settings: string[];
}

export type EmbeddedWorkerMessage =
  { type: 'listening'; address: string } | { type: 'failed'; error: string };

/** The embedded database's thread (see startEmbeddedPostgres): PGlite behind a loopback socket until told to stop. */
async function serve(data: EmbeddedWorkerData): Promise<void> {
  const db = new PGlite(data.dataDir, { postgresqlconf: data.settings });
  await db.waitReady;
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: data.maxConnections,
  });
  await server.start();
  parentPort!.on('message', (message) => {
    if (message !== 'stop') return;
    void (async () => {
      await server.stop();
      await db.close();
      process.exit(0);
    })();
  });
  parentPort!.postMessage({
    type: 'listening',
    address: server.getServerConn(),
  } satisfies EmbeddedWorkerMessage);
}

serve(workerData as EmbeddedWorkerData).catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'failed',
    error: error instanceof Error ? error.message : String(error),
  } satisfies EmbeddedWorkerMessage);
});
