import 'reflect-metadata';

import { createPinoLogger } from './src/adapters/observability/pino-logger';
import { createDataSource } from './src/adapters/persistence/data-source';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`). The CLI needs a running server: set DATABASE_URL.
 * The service itself applies pending migrations at every start, on the embedded database too.
 */
const url = process.env.DATABASE_URL;
if (url === undefined || url === '') {
  throw new Error('DATABASE_URL must point at a PostgreSQL server for the migration commands');
}

export default createDataSource({
  url,
  poolSize: 2,
  logger: createPinoLogger(process.env.LOG_LEVEL ?? 'info'),
});
