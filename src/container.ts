import { Container } from 'inversify';
import type { DataSource } from 'typeorm';

import type { Logger } from './application/ports/logger.port';
import type { SyncScheduler } from './application/ports/sync-scheduler.port';
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
import { RematchMeetings } from './application/use-cases/rematch-meetings.use-case';
import { DEFAULT_GOOGLE_RETRY, RetryPolicy, type RetryOptions } from './application/retry-policy';
import { CheckStoredCredentials } from './application/use-cases/check-stored-credentials.use-case';
import { HandlePushNotification } from './application/use-cases/handle-push-notification.use-case';
import { DisconnectMember } from './application/use-cases/disconnect-member.use-case';
import { ListConnections } from './application/use-cases/list-connections.use-case';
import { ReconnectMember } from './application/use-cases/reconnect-member.use-case';
import { RequestResync } from './application/use-cases/request-resync.use-case';
import { MemberSessions } from './application/member-sessions';
import { type ChannelSettings, OpenChannel } from './application/use-cases/open-channel.use-case';
import { RenewExpiringChannels } from './application/use-cases/renew-expiring-channels.use-case';
import { RequestSafetySync } from './application/use-cases/request-safety-sync.use-case';
import { HmacChannelTokens } from './adapters/crypto/hmac-channel-tokens';
import { WEBHOOK_PATH } from './adapters/http/webhook.router';
import { GroupCommitInbox } from './adapters/persistence/group-commit-inbox';
import { PushHolds } from './adapters/persistence/push-holds';
import { onConnectionLost } from './adapters/persistence/data-source';
import { TypeOrmChannelRepository } from './adapters/persistence/typeorm-channel.repository';
import { TypeOrmMetricSources } from './adapters/persistence/typeorm-metric-sources';
import { StartSignIn } from './application/use-cases/start-sign-in.use-case';
import { SyncCalendar, type SyncSettings } from './application/use-cases/sync-calendar.use-case';
import { UpsertAccounts } from './application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from './application/use-cases/upsert-contacts.use-case';
import { PreviewAccountImport } from './application/use-cases/preview-account-import.use-case';
import { PreviewContactImport } from './application/use-cases/preview-contact-import.use-case';
import { ListInteractionsByDate } from './application/use-cases/list-interactions-by-date.use-case';
import { AesGcmTokenCipher } from './adapters/crypto/aes-gcm-token-cipher';
import { PublicListsDomainKnowledge } from './adapters/domain-knowledge/public-lists-domain-knowledge';
import { MemorySlotStore, PacedCallBudget } from './adapters/google/call-budget';
import { GoogleCalendarGateway } from './adapters/google/google-calendar.gateway';
import type { GoogleClientSettings } from './adapters/google/google-endpoints';
import { GoogleOAuthGateway } from './adapters/google/google-oauth.gateway';
import { DelegatedTokens } from './adapters/google/delegated-tokens';
import { GoogleWorkspaceDirectory } from './adapters/google/google-workspace-directory';
import type { ServiceAccountKey } from './adapters/google/service-account-key';
import { TypeOrmWorkspaceDomainRepository } from './adapters/persistence/typeorm-workspace-domain.repository';
import { ConnectMember } from './application/use-cases/connect-member.use-case';
import { EnrolMembers } from './application/use-cases/enrol-members.use-case';
import { SyncWorkspaceDirectory } from './application/use-cases/sync-workspace-directory.use-case';
import { Metrics } from './adapters/observability/metrics';
import { TypeOrmDatabaseHealth } from './adapters/persistence/typeorm-database-health';
import { TypeOrmOAuthStateStore } from './adapters/persistence/typeorm-oauth-state.store';
import { TypeOrmSlotStore } from './adapters/persistence/typeorm-slot-store';
import { TypeOrmSyncQueue } from './adapters/persistence/typeorm-sync-queue';
import { repositoriesOn, TypeOrmUnitOfWork } from './adapters/persistence/typeorm-unit-of-work';
import { TypeOrmChangeFeed } from './adapters/persistence/typeorm-change-feed';
import { TypeOrmEngagementReadModel } from './adapters/persistence/typeorm-engagement.read-model';
import { GetAccountEngagement } from './application/use-cases/get-account-engagement.use-case';
import { ListEngagement } from './application/use-cases/list-engagement.use-case';
import { RefreshEngagement } from './application/use-cases/refresh-engagement.use-case';
import { TypeOrmWebhookEndpointRepository } from './adapters/persistence/typeorm-webhook-endpoint.repository';
import { Signal } from './adapters/scheduler/signal';
import { WebhookWorker } from './adapters/scheduler/webhook-worker';
import { StandardWebhookSender } from './adapters/webhooks/standard-webhook-sender';
import { DEFAULT_WEBHOOK_SETTINGS, DeliverWebhooks } from './application/use-cases/deliver-webhooks.use-case';
import { ListAllInteractions } from './application/use-cases/list-all-interactions.use-case';
import { ListChanges } from './application/use-cases/list-changes.use-case';
import { ManageWebhookEndpoints } from './application/use-cases/manage-webhook-endpoints.use-case';
import { type ChangeRetention, PruneChanges } from './application/use-cases/prune-changes.use-case';
import { DEFAULT_SYNC_WORKER_OPTIONS, SyncWorker } from './adapters/scheduler/sync-worker';
import type { Config } from './config';
import { AccountMatcher } from './domain/account-matcher';

export interface Infrastructure {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  /** The OAuth client and Google's endpoints; read on use, as the sandbox's port is known only once listening. */
  google: () => GoogleClientSettings;
  /** Domain-wide delegation (GOOGLE_SERVICE_ACCOUNT_KEY, GOOGLE_WORKSPACE_ADMIN); absent: not configured. */
  delegation?: DelegationSettings | null;
  metrics?: Metrics;
  /** Called after pushes marked calendars, to wake the workers of other instances (NOTIFY on PostgreSQL). */
  notifyOtherInstances?: () => void;
  /**
   * The change feed's triggers NOTIFY at commit and this process LISTENs (PgWakeChannel): its readers and webhook
   * workers are woken by that alone. Otherwise (embedded database, tests) every commit wakes them here.
   */
  databaseNotifiesChanges?: boolean;
  /**
   * Other instances may write to the database: pushes are accepted under holds (PushHolds) only once their writes
   * are heard (PgWakeChannel trusts them). Otherwise this process is the only writer and holds are trusted at once.
   */
  sharedDatabase?: boolean;
}

export interface DelegationSettings {
  key: ServiceAccountKey;
  /** The Workspace admin impersonated to read the directory; null: only enrolment by email. */
  admin: string | null;
}

/** Small enough that a reader waits tens of milliseconds for a sync's transaction on the embedded database. */
const EMBEDDED_EVENTS_PER_TRANSACTION = 75;
/** Two page transactions for each sync loop, and two connections left for pushes, the API and the other jobs. */
const SERVER_POOL_FOR_TWO_WRITES = 2 * DEFAULT_SYNC_WORKER_OPTIONS.concurrency + 2;

/** How syncs write, by the database the service runs on. */
export function syncSettings(config: Config): SyncSettings {
  return {
    lookbackDays: config.syncLookbackDays,
    lookaheadDays: config.syncLookaheadDays,
    leaseMs: config.syncLeaseMs,
    // The embedded database runs one statement at a time: an API read waits for at most 75 events' writes.
    // A server writes a page while the one before commits, where the pool has room for every sync loop doing so.
    ...(config.databaseUrl === null
      ? { eventsPerTransaction: EMBEDDED_EVENTS_PER_TRANSACTION }
      : { transactionsInFlight: config.databasePoolSize >= SERVER_POOL_FOR_TWO_WRITES ? 2 : 1 }),
  };
}

/** Backoff for Google's rate limits and server errors, each backoff counted in `google_backoffs_total`. */
export function googleRetryPolicy(
  metrics: Metrics,
  options: RetryOptions = DEFAULT_GOOGLE_RETRY,
): RetryPolicy {
  return new RetryPolicy(options, undefined, undefined, () => metrics.googleRetries.inc());
}

/** The composition root: every binding of the service lives here. */
export function buildContainer(infra: Infrastructure): Container {
  const { config, logger, dataSource, google } = infra;
  const delegation = infra.delegation ?? null;
  const metrics = infra.metrics ?? new Metrics();
  const container = new Container({ defaultScope: 'Singleton' });
  const knowledge = new PublicListsDomainKnowledge();
  const holds = new PushHolds(infra.sharedDatabase !== true);
  container.bind(PushHolds).toConstantValue(holds);
  onConnectionLost(dataSource, () => holds.void());
  const repositories = repositoriesOn(dataSource.manager, () => holds.void());

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(systemClock);
  container.bind(TOKENS.Metrics).toConstantValue(metrics);
  metrics.setSources(new TypeOrmMetricSources(dataSource.manager));
  container.bind(TOKENS.DomainKnowledge).toConstantValue(knowledge);
  container
    .bind(TOKENS.AccountMatcher)
    .toConstantValue(new AccountMatcher(knowledge, config.internalDomains));
  container.bind(TOKENS.SyncSettings).toConstantValue(syncSettings(config));
  container.bind(TOKENS.RetryPolicy).toConstantValue(googleRetryPolicy(metrics));
  container.bind(TOKENS.ChannelSettings).toConstantValue({
    webhookUrl: `${config.publicUrl}${WEBHOOK_PATH}`,
    ttlSeconds: config.channelTtlSeconds,
    renewBeforeSeconds: config.renewBeforeSeconds,
  } satisfies ChannelSettings);

  const changeNotifications = new Signal();
  container.bind(TOKENS.ChangeNotifications).toConstantValue(changeNotifications);
  container
    .bind(TOKENS.UnitOfWork)
    .toConstantValue(
      new TypeOrmUnitOfWork(
        dataSource,
        infra.databaseNotifiesChanges === true ? undefined : () => changeNotifications.notify(),
        () => holds.void(),
      ),
    );
  container.bind(TOKENS.ChangeFeed).toConstantValue(new TypeOrmChangeFeed(dataSource.manager));
  const endpointsAdded = new Signal();
  const webhookEndpoints = new TypeOrmWebhookEndpointRepository(dataSource.manager, () =>
    endpointsAdded.notify(),
  );
  container.bind(TOKENS.WebhookEndpointRepository).toConstantValue(webhookEndpoints);
  container.bind(TOKENS.WebhookSender).toConstantValue(new StandardWebhookSender());
  container.bind(TOKENS.WebhookSettings).toConstantValue(DEFAULT_WEBHOOK_SETTINGS);
  container
    .bind(TOKENS.ChangeRetention)
    .toConstantValue({ days: config.changesRetentionDays } satisfies ChangeRetention);
  container
    .bind(TOKENS.WebhookWorker)
    .toResolvedValue(
      (deliver: DeliverWebhooks) =>
        new WebhookWorker(deliver, webhookEndpoints, changeNotifications, endpointsAdded, metrics, logger),
      [DeliverWebhooks],
    );
  container.bind(TOKENS.AccountRepository).toConstantValue(repositories.accounts);
  container.bind(TOKENS.ContactRepository).toConstantValue(repositories.contacts);
  container.bind(TOKENS.MatchLookupRepository).toConstantValue(repositories.matchLookups);
  container.bind(TOKENS.MemberRepository).toConstantValue(repositories.members);
  container.bind(TOKENS.MeetingRepository).toConstantValue(repositories.meetings);
  container
    .bind(TOKENS.EngagementReadModel)
    .toConstantValue(new TypeOrmEngagementReadModel(dataSource.manager));
  container
    .bind(TOKENS.OAuthStateStore)
    .toConstantValue(new TypeOrmOAuthStateStore(dataSource.manager, config.secretKey));
  container.bind(TOKENS.DatabaseHealth).toConstantValue(new TypeOrmDatabaseHealth(dataSource));
  const channels = new TypeOrmChannelRepository(dataSource.manager, () => holds.void());
  const queue = new TypeOrmSyncQueue(dataSource.manager);
  container.bind(TOKENS.ChannelRepository).toConstantValue(channels);
  container.bind(TOKENS.SyncQueue).toConstantValue(queue);
  container.bind(TOKENS.ChannelTokens).toConstantValue(new HmacChannelTokens(config.secretKey));
  container.bind(TOKENS.NotificationInbox).toConstantValue(
    new GroupCommitInbox(
      channels,
      () => {
        infra.notifyOtherInstances?.();
        container.get<SyncScheduler>(TOKENS.SyncScheduler).wake();
      },
      holds,
    ),
  );

  container.bind(TOKENS.TokenCipher).toConstantValue(new AesGcmTokenCipher(config.secretKey));
  // The embedded database admits one process, whose budget can live in memory; instances sharing a server share
  // it through the database. In memory also keeps the budget off the embedded database's single connection.
  const budget = new PacedCallBudget(
    config.databaseUrl === null ? new MemorySlotStore() : new TypeOrmSlotStore(dataSource.manager),
    {
      projectPerPeriod: config.googleRequestsPerMinute,
      userPerPeriod: config.googleUserRequestsPerMinute,
      periodMs: 60_000,
    },
  );
  // The delegation's token endpoint is the one the OAuth client uses: GOOGLE_BASE_URL's when set.
  const delegatedTokens =
    delegation === null ? null : new DelegatedTokens(delegation.key, () => google().endpoints.tokenUrl);
  container
    .bind(TOKENS.CalendarGateway)
    .toConstantValue(new GoogleCalendarGateway(google, logger, budget, metrics, delegatedTokens));
  container
    .bind(TOKENS.WorkspaceDirectory)
    .toConstantValue(
      new GoogleWorkspaceDirectory(
        delegatedTokens,
        delegation?.admin ?? null,
        () => google().endpoints.directoryRoot,
      ),
    );
  container
    .bind(TOKENS.WorkspaceDomainRepository)
    .toConstantValue(new TypeOrmWorkspaceDomainRepository(dataSource.manager));
  container.bind(TOKENS.OAuthGateway).toConstantValue(new GoogleOAuthGateway(google));
  container.bind(TOKENS.SyncScheduler).toResolvedValue(
    (syncCalendar: SyncCalendar) =>
      new SyncWorker(
        queue,
        syncCalendar,
        logger,
        {
          ...DEFAULT_SYNC_WORKER_OPTIONS,
          minIntervalMs: config.syncMinIntervalMs,
          leaseMs: config.syncLeaseMs,
        },
        metrics,
      ),
    [SyncCalendar],
  );

  const useCases: (new (...args: never[]) => unknown)[] = [
    ConnectMember,
    EnrolMembers,
    SyncWorkspaceDirectory,
    ListChanges,
    ListAllInteractions,
    ManageWebhookEndpoints,
    DeliverWebhooks,
    PruneChanges,
    UpsertAccounts,
    UpsertContacts,
    PreviewAccountImport,
    PreviewContactImport,
    ListInteractionsByDate,
    DeleteAccount,
    DeleteContact,
    GetAccount,
    ListAccounts,
    ListEngagement,
    GetAccountEngagement,
    RefreshEngagement,
    RematchMeetings,
    SyncCalendar,
    StartSignIn,
    CompleteSignIn,
    ListInteractions,
    ListUnmatchedMeetings,
    GetProfile,
    MemberSessions,
    OpenChannel,
    RenewExpiringChannels,
    RequestSafetySync,
    HandlePushNotification,
    DisconnectMember,
    ReconnectMember,
    RequestResync,
    ListConnections,
    CheckStoredCredentials,
  ];
  for (const useCase of useCases) container.bind(useCase).toSelf();
  return container;
}
