import type { Logger as TypeOrmLoggerInterface } from 'typeorm';

import type { Logger } from '../../application/ports/logger.port';

/** Counts statements sent to the database: how benchmarks and tests measure round trips. */
export class QueryCounter {
  count = 0;
}

/**
 * Routes TypeORM's messages to our logger. Query parameters are never logged (they carry emails and tokens);
 * only the statement text of failed or slow queries is.
 */
export class TypeOrmLogger implements TypeOrmLoggerInterface {
  constructor(
    private readonly logger: Logger,
    private readonly counter: QueryCounter,
  ) {}

  logQuery(): void {
    this.counter.count++;
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn('database query failed', {
      error: error instanceof Error ? error.message : error,
      query: truncate(query),
    });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn('slow database query', { durationMs: time, query: truncate(query) });
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

function truncate(query: string): string {
  return query.length > 500 ? `${query.slice(0, 500)}…` : query;
}
