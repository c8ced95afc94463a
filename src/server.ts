import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import { createApp } from './adapters/http/app';
import { Metrics } from './adapters/observability/metrics';
import { createDataSource } from './adapters/persistence/data-source';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './adapters/persistence/embedded-postgres';
import type { Config } from './config';
import { buildContainer } from './container';

/** In-flight requests get this long to finish on shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningService {
  /** Base URL the HTTP server listens on. */
  url: string;
  container: Container;
  dataSource: DataSource;
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

    const container = buildContainer({ config, logger, dataSource, metrics: new Metrics() });
    const server = createApp(container).listen(config.port);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    logger.info('service listening', { port, publicUrl: config.publicUrl });

    let stopping: Promise<void> | null = null;
    const ds = dataSource;
    const db = embedded;
    return {
      url: `http://127.0.0.1:${port}`,
      container,
      dataSource,
      stop: () => (stopping ??= shutdown(server, ds, db, logger)),
    };
  } catch (error) {
    await dataSource?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

async function shutdown(
  server: Server,
  dataSource: DataSource,
  embedded: EmbeddedPostgres | null,
  logger: Logger,
) {
  logger.info('shutting down');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  await closed;
  clearTimeout(grace);
  await dataSource.destroy();
  await embedded?.stop();
  logger.info('stopped');
}
