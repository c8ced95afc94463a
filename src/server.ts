import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import { TOKENS } from './application/ports/tokens';
import { RematchMeetings } from './application/use-cases/rematch-meetings.use-case';
import { createApp } from './adapters/http/app';
import { Metrics } from './adapters/observability/metrics';
import { createDataSource } from './adapters/persistence/data-source';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './adapters/persistence/embedded-postgres';
import type { SyncWorker } from './adapters/scheduler/sync-worker';
import type { Config } from './config';
import { buildContainer } from './container';
import { type GoogleWiring, wireGoogle } from './google-wiring';
import { seedOfflineDemo } from './offline-demo';

/** In-flight requests get this long to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningService {
  /** Base URL the HTTP server listens on. */
  url: string;
  container: Container;
  dataSource: DataSource;
  google: GoogleWiring;
  /** Closes the HTTP server, the pool and the embedded database, in that order. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the database (a server at DATABASE_URL, or embedded PGlite in DATA_DIR), applies the committed
 * migrations, and serves HTTP on `config.port` (0 picks a free port).
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  let embedded: EmbeddedPostgres | null = null;
  let dataSource: DataSource | null = null;
  try {
    let url = config.databaseUrl;
    if (url === null) {
      // One more connection than the pool: the TypeORM migration runner's own.
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        maxConnections: config.databasePoolSize + 1,
      });
      url = embedded.url;
      logger.info('embedded database started', { dataDir: config.dataDir });
    }
    dataSource = createDataSource({ url, poolSize: config.databasePoolSize, logger });
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.info('migrations applied', { migrations: applied.map((m) => m.name) });

    const google = wireGoogle(config, logger);
    const container = buildContainer({
      config,
      logger,
      dataSource,
      google: google.settings,
      metrics: new Metrics(),
    });
    const server = createApp(container, google.mount).listen(config.port);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    google.listening(port);
    logger.info('service listening', { port, publicUrl: config.publicUrl });

    if (google.sandbox !== null) await seedOfflineDemo(google.sandbox, container, logger);
    const worker = container.get<SyncWorker>(TOKENS.SyncScheduler);
    worker.start();
    // Re-matches that a crash interrupted (flags are durable) are finished now.
    container
      .get(RematchMeetings)
      .execute()
      .catch((error: unknown) => logger.error('re-matching at start failed', { error: String(error) }));

    let stopping: Promise<void> | null = null;
    const ds = dataSource;
    const db = embedded;
    return {
      url: `http://127.0.0.1:${port}`,
      container,
      dataSource,
      google,
      stop: () => (stopping ??= shutdown({ server, worker, dataSource: ds, embedded: db, logger })),
    };
  } catch (error) {
    await dataSource?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

interface Running {
  server: Server;
  worker: SyncWorker;
  dataSource: DataSource;
  embedded: EmbeddedPostgres | null;
  logger: Logger;
}

/**
 * Stops taking requests and claiming syncs, lets both finish within the grace period, then closes the database.
 * A sync cut short loses nothing: its pages are committed one by one and its claim lapses.
 */
async function shutdown({ server, worker, dataSource, embedded, logger }: Running): Promise<void> {
  logger.info('shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let grace: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    grace = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
  });
  await Promise.race([Promise.all([closed, worker.stop()]), graceOver]);
  clearTimeout(grace);
  await dataSource.destroy();
  await embedded?.stop();
  logger.info('stopped');
}
