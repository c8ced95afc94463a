import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import type { SyncQueue } from './application/ports/sync-queue.port';
import { TOKENS } from './application/ports/tokens';
import { CheckStoredCredentials } from './application/use-cases/check-stored-credentials.use-case';
import { RematchMeetings } from './application/use-cases/rematch-meetings.use-case';
import { RefreshEngagement } from './application/use-cases/refresh-engagement.use-case';
import { RenewExpiringChannels } from './application/use-cases/renew-expiring-channels.use-case';
import { RequestSafetySync } from './application/use-cases/request-safety-sync.use-case';
import {
  CHANGES_CHANNEL,
  HOLDS_CHANNEL,
  PgWakeChannel,
  WAKE_CHANNEL,
} from './adapters/persistence/pg-wake-channel';
import { PushHolds } from './adapters/persistence/push-holds';
import type { WebhookWorker } from './adapters/scheduler/webhook-worker';
import type { ChangeNotifications } from './application/ports/change-feed.port';
import { PruneChanges } from './application/use-cases/prune-changes.use-case';
import { SyncWorkspaceDirectory } from './application/use-cases/sync-workspace-directory.use-case';
import { SyncCalendar } from './application/use-cases/sync-calendar.use-case';
import { describeError } from './application/errors';
import { TypeOrmRunCoordinator } from './adapters/persistence/typeorm-run-coordinator';
import type { GroupCommitInbox } from './adapters/persistence/group-commit-inbox';
import { scheduleJobs } from './adapters/scheduler/cron-jobs';
import { warmUpGoogleHttp } from './adapters/google/http-warm-up';
import { createApp } from './adapters/http/app';
import { Metrics } from './adapters/observability/metrics';
import { createDataSource } from './adapters/persistence/data-source';
import {
  EMBEDDED_POOL_SIZE,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from './adapters/persistence/embedded-postgres';
import type { SyncWorker } from './adapters/scheduler/sync-worker';
import type { Config } from './config';
import { buildContainer } from './container';
import { type GoogleWiring, wireGoogle } from './google-wiring';
import { restoreOfflineConnections, seedOfflineDemo } from './offline-demo';

/** Hourly, off the hour: changes older than CHANGES_RETENTION_DAYS are forgotten. */
const PRUNE_CHANGES_CRON = '7 * * * *';
/** The accounts list's kept figures: readers compute what is out of date themselves, so this only saves them time. */
const REFRESH_ENGAGEMENT_CRON = '* * * * *';

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
    let poolSize = config.databasePoolSize;
    if (url === null) {
      poolSize = EMBEDDED_POOL_SIZE;
      // One more connection than the pool: spare for an operator's psql while the service runs.
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, maxConnections: poolSize + 1 });
      url = embedded.url;
      logger.info('embedded database started', { dataDir: config.dataDir });
    }
    dataSource = createDataSource({ url, poolSize, logger });
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.info('migrations applied', { migrations: applied.map((m) => m.name) });

    const google = wireGoogle(config, logger);
    let wakeChannel: PgWakeChannel | null = null;
    const container = buildContainer({
      config,
      logger,
      dataSource,
      google: google.settings,
      delegation: google.delegation,
      metrics: new Metrics(),
      notifyOtherInstances: () => wakeChannel?.notify(),
      databaseNotifiesChanges: config.databaseUrl !== null,
      sharedDatabase: config.databaseUrl !== null,
    });
    // Before the first request: an embedded database's first sync would otherwise pay the cold start while reads wait.
    if (embedded !== null) await warmUp(container, logger);
    await warmUpGoogleHttp().catch((error: unknown) =>
      logger.warn('Google HTTP client not warmed up', { error: describeError(error) }),
    );
    const server = createServer(createApp(container, google.mount)).listen(config.port);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    google.listening(port);
    logger.info('service listening', { port, publicUrl: config.publicUrl });

    // Credentials that no longer open (SECRET_KEY changed) show as needs_reconnect now, not at the next sync.
    await container.get(CheckStoredCredentials).execute();
    if (google.sandbox !== null) {
      await seedOfflineDemo(google.sandbox, container, logger);
      await restoreOfflineConnections(google.sandbox, container, logger);
    }
    // One instance owns an embedded database (DATA_DIR lock): leases left by a crash are released at once.
    if (embedded !== null) await container.get<SyncQueue>(TOKENS.SyncQueue).releaseAllLeases();
    const worker = container.get<SyncWorker>(TOKENS.SyncScheduler);
    worker.start();
    const webhooks = container.get<WebhookWorker>(TOKENS.WebhookWorker);
    webhooks.start();
    if (config.databaseUrl !== null) {
      const ds = dataSource;
      const changes = container.get<ChangeNotifications>(TOKENS.ChangeNotifications);
      const holds = container.get(PushHolds);
      wakeChannel = new PgWakeChannel(
        config.databaseUrl,
        (sql) => ds.query(sql),
        {
          [WAKE_CHANNEL]: () => worker.wake(),
          [CHANGES_CHANNEL]: () => changes.notify(),
          [HOLDS_CHANNEL]: () => holds.void(),
        },
        logger,
        (listening) => holds.trust(listening),
      );
      await wakeChannel.start();
    }
    const stopJobs = scheduleJobs(
      [
        {
          name: 'renew-channels',
          expression: config.renewCron,
          run: () => container.get(RenewExpiringChannels).execute(),
        },
        {
          name: 'safety-sync',
          expression: config.safetySyncCron,
          run: ({ periodMs }) => container.get(RequestSafetySync).execute(periodMs),
        },
        {
          name: 'prune-changes',
          expression: PRUNE_CHANGES_CRON,
          run: () => container.get(PruneChanges).execute(),
        },
        {
          name: 'refresh-engagement',
          expression: REFRESH_ENGAGEMENT_CRON,
          run: () => container.get(RefreshEngagement).execute(),
        },
        {
          name: 'workspace-sync',
          expression: config.workspaceSyncCron,
          run: () => container.get(SyncWorkspaceDirectory).execute(),
        },
      ],
      new TypeOrmRunCoordinator(dataSource.manager),
      logger,
    );
    // A member without a live channel (a failed open, a restart after expiry) gets one now, not at the next tick.
    container
      .get(RenewExpiringChannels)
      .execute()
      .catch((error: unknown) => logger.warn('channel renewal at start failed', { error: String(error) }));
    container
      .get(RefreshEngagement)
      .execute()
      .catch((error: unknown) => logger.warn('engagement refresh at start failed', { error: String(error) }));
    // Re-matches that a crash interrupted (flags are durable) are finished now.
    container
      .get(RematchMeetings)
      .execute()
      .catch((error: unknown) => logger.error('re-matching at start failed', { error: String(error) }));

    let stopping: Promise<void> | null = null;
    const ds = dataSource;
    const db = embedded;
    const wake = wakeChannel;
    return {
      url: `http://127.0.0.1:${port}`,
      container,
      dataSource,
      google,
      stop: () =>
        (stopping ??= shutdown({
          server,
          workers: [worker, webhooks],
          stopBackground: async () => {
            await stopJobs();
            await wake?.stop();
            container.get<GroupCommitInbox>(TOKENS.NotificationInbox).stop();
          },
          dataSource: ds,
          embedded: db,
          logger,
        })),
    };
  } catch (error) {
    await dataSource?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

interface Running {
  server: Server;
  /** Sync and webhook workers: each finishes what it is doing, then stops. */
  workers: { stop(): Promise<void> }[];
  stopBackground: () => Promise<void>;
  dataSource: DataSource;
  embedded: EmbeddedPostgres | null;
  logger: Logger;
}

/**
 * Stops taking requests, claiming syncs and delivering webhooks, lets them finish within the grace period, then
 * closes the database. A sync cut short loses nothing: its pages are committed one by one and its claim lapses; a
 * delivery cut short is made again (same webhook-id).
 */
async function shutdown({
  server,
  workers,
  stopBackground,
  dataSource,
  embedded,
  logger,
}: Running): Promise<void> {
  logger.info('shutting down');
  await stopBackground();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let grace: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    grace = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, SHUTDOWN_GRACE_MS);
  });
  await Promise.race([Promise.all([closed, ...workers.map((worker) => worker.stop())]), graceOver]);
  clearTimeout(grace);
  await dataSource.destroy();
  await embedded?.stop();
  logger.info('stopped');
}

/**
 * The sync's writes once, rolled back (SyncCalendar.warmUp). The service works without it: a failure only warns.
 * It waits for no lock: the embedded database has just started in this process, and no request or job has reached it.
 */
async function warmUp(container: Container, logger: Logger): Promise<void> {
  const started = performance.now();
  try {
    await container.get(SyncCalendar).warmUp();
    logger.info('sync writes warmed up', { ms: Math.round(performance.now() - started) });
  } catch (error) {
    logger.warn('sync writes not warmed up', { error: describeError(error) });
  }
}
