import { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import { systemClock } from './application/ports/clock.port';
import { TOKENS } from './application/ports/tokens';
import { CompleteSignIn } from './application/use-cases/complete-sign-in.use-case';
import { DeleteAccount } from './application/use-cases/delete-account.use-case';
import { DeleteContact } from './application/use-cases/delete-contact.use-case';
import { GetAccount } from './application/use-cases/get-account.use-case';
import { GetProfile } from './application/use-cases/get-profile.use-case';
import { ListAccounts } from './application/use-cases/list-accounts.use-case';
import { ListInteractions } from './application/use-cases/list-interactions.use-case';
import { ListUnmatchedMeetings } from './application/use-cases/list-unmatched-meetings.use-case';
import { MatchAttendees } from './application/use-cases/match-attendees.use-case';
import { RematchMeetings } from './application/use-cases/rematch-meetings.use-case';
import { RetryPolicy } from './application/use-cases/retry-policy';
import { StartSignIn } from './application/use-cases/start-sign-in.use-case';
import { SyncCalendar } from './application/use-cases/sync-calendar.use-case';
import { UpsertAccounts } from './application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from './application/use-cases/upsert-contacts.use-case';
import { AesGcmTokenCipher } from './adapters/crypto/aes-gcm-token-cipher';
import { PublicListsDomainKnowledge } from './adapters/domain-knowledge/public-lists-domain-knowledge';
import { GoogleCalendarGateway } from './adapters/google/google-calendar.gateway';
import type { GoogleClientSettings } from './adapters/google/google-endpoints';
import { GoogleOAuthGateway } from './adapters/google/google-oauth.gateway';
import { Metrics } from './adapters/observability/metrics';
import { TypeOrmDatabaseHealth } from './adapters/persistence/typeorm-database-health';
import { TypeOrmOAuthStateStore } from './adapters/persistence/typeorm-oauth-state.store';
import { TypeOrmSyncQueue } from './adapters/persistence/typeorm-sync-queue';
import { repositoriesOn, TypeOrmUnitOfWork } from './adapters/persistence/typeorm-unit-of-work';
import { DEFAULT_SYNC_WORKER_OPTIONS, SyncWorker } from './adapters/scheduler/sync-worker';
import type { Config } from './config';
import { AccountMatcher } from './domain/account-matcher';

export interface Infrastructure {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  /** The OAuth client and Google's endpoints; read on use, as the sandbox's port is known only once listening. */
  google: () => GoogleClientSettings;
  metrics?: Metrics;
}

/** The composition root: every binding of the service lives here. */
export function buildContainer({ config, logger, dataSource, google, metrics }: Infrastructure): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const knowledge = new PublicListsDomainKnowledge();
  const repositories = repositoriesOn(dataSource.manager);

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(systemClock);
  container.bind(TOKENS.Metrics).toConstantValue(metrics ?? new Metrics());
  container.bind(TOKENS.DomainKnowledge).toConstantValue(knowledge);
  container
    .bind(TOKENS.AccountMatcher)
    .toConstantValue(new AccountMatcher(knowledge, config.internalDomains));
  container.bind(TOKENS.SyncSettings).toConstantValue({ lookbackDays: config.syncLookbackDays });
  container.bind(TOKENS.RetryPolicy).toConstantValue(new RetryPolicy());

  container.bind(TOKENS.UnitOfWork).toConstantValue(new TypeOrmUnitOfWork(dataSource));
  container.bind(TOKENS.AccountRepository).toConstantValue(repositories.accounts);
  container.bind(TOKENS.ContactRepository).toConstantValue(repositories.contacts);
  container.bind(TOKENS.MatchLookupRepository).toConstantValue(repositories.matchLookups);
  container.bind(TOKENS.MemberRepository).toConstantValue(repositories.members);
  container.bind(TOKENS.MeetingRepository).toConstantValue(repositories.meetings);
  container.bind(TOKENS.OAuthStateStore).toConstantValue(new TypeOrmOAuthStateStore(dataSource.manager));
  container.bind(TOKENS.DatabaseHealth).toConstantValue(new TypeOrmDatabaseHealth(dataSource));

  container.bind(TOKENS.TokenCipher).toConstantValue(new AesGcmTokenCipher(config.secretKey));
  container.bind(TOKENS.CalendarGateway).toConstantValue(new GoogleCalendarGateway(google, logger));
  container.bind(TOKENS.OAuthGateway).toConstantValue(new GoogleOAuthGateway(google));
  container.bind(TOKENS.SyncScheduler).toResolvedValue(
    (syncCalendar: SyncCalendar) =>
      new SyncWorker(new TypeOrmSyncQueue(dataSource.manager), syncCalendar, logger, {
        ...DEFAULT_SYNC_WORKER_OPTIONS,
        minIntervalMs: config.syncMinIntervalMs,
      }),
    [SyncCalendar],
  );

  const useCases: (new (...args: never[]) => unknown)[] = [
    UpsertAccounts,
    UpsertContacts,
    DeleteAccount,
    DeleteContact,
    GetAccount,
    ListAccounts,
    MatchAttendees,
    RematchMeetings,
    SyncCalendar,
    StartSignIn,
    CompleteSignIn,
    ListInteractions,
    ListUnmatchedMeetings,
    GetProfile,
  ];
  for (const useCase of useCases) container.bind(useCase).toSelf();
  return container;
}
