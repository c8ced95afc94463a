import express, { type Express } from 'express';
import type { Container } from 'inversify';

import type { DatabaseHealth } from '../../application/ports/database-health.port';
import type { Logger } from '../../application/ports/logger.port';
import { TOKENS } from '../../application/ports/tokens';
import { DeleteAccount } from '../../application/use-cases/delete-account.use-case';
import { DeleteContact } from '../../application/use-cases/delete-contact.use-case';
import { GetAccount } from '../../application/use-cases/get-account.use-case';
import { ListAccounts } from '../../application/use-cases/list-accounts.use-case';
import { UpsertAccounts } from '../../application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from '../../application/use-cases/upsert-contacts.use-case';
import type { Config } from '../../config';
import type { Metrics } from '../observability/metrics';
import { adminApiRouter } from './admin-api.router';
import { errorHandler, notFoundHandler } from './errors';
import { operationsRouter } from './operations.router';
import { requestLogging } from './request-logging';

/** The whole HTTP surface as a plain express app, without `listen`, so tests drive it with supertest. */
export function createApp(container: Container): Express {
  const config = container.get<Config>(TOKENS.Config);
  const logger = container.get<Logger>(TOKENS.Logger);
  const metrics = container.get<Metrics>(TOKENS.Metrics);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogging(logger, metrics));
  app.use(
    operationsRouter({ health: container.get<DatabaseHealth>(TOKENS.DatabaseHealth), metrics, logger }),
  );
  app.use(
    '/api',
    adminApiRouter({
      adminApiKey: config.adminApiKey,
      upsertAccounts: container.get(UpsertAccounts),
      upsertContacts: container.get(UpsertContacts),
      deleteAccount: container.get(DeleteAccount),
      deleteContact: container.get(DeleteContact),
      getAccount: container.get(GetAccount),
      listAccounts: container.get(ListAccounts),
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
