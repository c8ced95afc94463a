import { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import { systemClock } from './application/ports/clock.port';
import { TOKENS } from './application/ports/tokens';
import { DeleteAccount } from './application/use-cases/delete-account.use-case';
import { DeleteContact } from './application/use-cases/delete-contact.use-case';
import { GetAccount } from './application/use-cases/get-account.use-case';
import { ListAccounts } from './application/use-cases/list-accounts.use-case';
import { MatchAttendees } from './application/use-cases/match-attendees.use-case';
import { UpsertAccounts } from './application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from './application/use-cases/upsert-contacts.use-case';
import { PublicListsDomainKnowledge } from './adapters/domain-knowledge/public-lists-domain-knowledge';
import { Metrics } from './adapters/observability/metrics';
import { TypeOrmAccountRepository } from './adapters/persistence/typeorm-account.repository';
import { TypeOrmContactRepository } from './adapters/persistence/typeorm-contact.repository';
import { TypeOrmDatabaseHealth } from './adapters/persistence/typeorm-database-health';
import { TypeOrmMatchLookupRepository } from './adapters/persistence/typeorm-match-lookup.repository';
import type { Config } from './config';
import { AccountMatcher } from './domain/account-matcher';

export interface Infrastructure {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  metrics?: Metrics;
}

/** The composition root: every binding of the service lives here. */
export function buildContainer({ config, logger, dataSource, metrics }: Infrastructure): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const knowledge = new PublicListsDomainKnowledge();

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(systemClock);
  container.bind(TOKENS.Metrics).toConstantValue(metrics ?? new Metrics());
  container.bind(TOKENS.DomainKnowledge).toConstantValue(knowledge);
  container
    .bind(TOKENS.AccountMatcher)
    .toConstantValue(new AccountMatcher(knowledge, config.internalDomains));

  container.bind(TOKENS.AccountRepository).toConstantValue(new TypeOrmAccountRepository(dataSource));
  container.bind(TOKENS.ContactRepository).toConstantValue(new TypeOrmContactRepository(dataSource));
  container.bind(TOKENS.MatchLookupRepository).toConstantValue(new TypeOrmMatchLookupRepository(dataSource));
  container.bind(TOKENS.DatabaseHealth).toConstantValue(new TypeOrmDatabaseHealth(dataSource));

  const useCases: (new (...args: never[]) => unknown)[] = [
    UpsertAccounts,
    UpsertContacts,
    DeleteAccount,
    DeleteContact,
    GetAccount,
    ListAccounts,
    MatchAttendees,
  ];
  for (const useCase of useCases) container.bind(useCase).toSelf();
  return container;
}
