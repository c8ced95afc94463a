import { DataSource } from 'typeorm';

import type { Logger } from '../../application/ports/logger.port';
import { ORM_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { QueryCounter, TypeOrmLogger } from './typeorm-logger';

export interface DataSourceOptions {
  url: string;
  poolSize: number;
  logger: Logger;
  /** A schema of its own (created beforehand), so that test files can share one PostgreSQL database. */
  schema?: string;
  queryCounter?: QueryCounter;
}

/** One DataSource for the server and the embedded database alike: the `pg` driver, committed migrations only. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ORM_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    logging: ['query', 'error', 'warn', 'migration'],
    maxQueryExecutionTime: 1_000,
    logger: new TypeOrmLogger(options.logger, options.queryCounter ?? new QueryCounter()),
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      // JIT compiles a plan whose estimate looks large, which costs 100s of ms each time: too much for statements
      // that run in milliseconds (PostgreSQL's own advice for OLTP workloads).
      options: [
        '-c jit=off',
        ...(options.schema === undefined ? [] : [`-c search_path=${options.schema}`]),
      ].join(' '),
    },
  });
}

/**
 * Calls `listener` when the pool loses an idle connection (the server shut down or was unreachable): what this
 * process holds about the database's state (PushHolds) must then be asked again. Needs an initialized data source.
 */
export function onConnectionLost(dataSource: DataSource, listener: () => void): void {
  const pool = (dataSource.driver as unknown as { master?: { on(event: 'error', fn: () => void): void } })
    .master;
  pool?.on('error', listener);
}
