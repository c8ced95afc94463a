import type { RequestListener } from 'node:http';

import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Container } from 'inversify';

import type { DatabaseHealth } from '../../application/ports/database-health.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MemberRepository } from '../../application/ports/member-repository.port';
import { TOKENS } from '../../application/ports/tokens';
import { DeleteAccount } from '../../application/use-cases/delete-account.use-case';
import { DeleteContact } from '../../application/use-cases/delete-contact.use-case';
import { GetAccount } from '../../application/use-cases/get-account.use-case';
import { ListAccounts } from '../../application/use-cases/list-accounts.use-case';
import { GetAccountEngagement } from '../../application/use-cases/get-account-engagement.use-case';
import { ListEngagement } from '../../application/use-cases/list-engagement.use-case';
import { UpsertAccounts } from '../../application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from '../../application/use-cases/upsert-contacts.use-case';
import { PreviewAccountImport } from '../../application/use-cases/preview-account-import.use-case';
import { PreviewContactImport } from '../../application/use-cases/preview-contact-import.use-case';
import { ListInteractionsByDate } from '../../application/use-cases/list-interactions-by-date.use-case';
import { CompleteSignIn } from '../../application/use-cases/complete-sign-in.use-case';
import { GetProfile } from '../../application/use-cases/get-profile.use-case';
import { ListInteractions } from '../../application/use-cases/list-interactions.use-case';
import { ListUnmatchedMeetings } from '../../application/use-cases/list-unmatched-meetings.use-case';
import { StartSignIn } from '../../application/use-cases/start-sign-in.use-case';
import { HandlePushNotification } from '../../application/use-cases/handle-push-notification.use-case';
import { RenewExpiringChannels } from '../../application/use-cases/renew-expiring-channels.use-case';
import { DisconnectMember } from '../../application/use-cases/disconnect-member.use-case';
import { ListConnections } from '../../application/use-cases/list-connections.use-case';
import { ReconnectMember } from '../../application/use-cases/reconnect-member.use-case';
import { RequestResync } from '../../application/use-cases/request-resync.use-case';
import { ListAllInteractions } from '../../application/use-cases/list-all-interactions.use-case';
import { ListChanges } from '../../application/use-cases/list-changes.use-case';
import { EnrolMembers } from '../../application/use-cases/enrol-members.use-case';
import type { WorkspaceDirectory } from '../../application/ports/workspace-directory.port';
import { ManageWebhookEndpoints } from '../../application/use-cases/manage-webhook-endpoints.use-case';
import type { Config } from '../../config';
import type { Metrics } from '../observability/metrics';
import { adminApiRouter } from './admin-api.router';
import { adminPagesRouter } from './admin-pages.router';
import { adminCsvRouter } from './admin-csv.router';
import { STYLESHEET, STYLESHEET_PATH } from './stylesheet';
import { openApiDocument } from './openapi';
import { pushReceiver, WEBHOOK_PATH } from './webhook.router';
import { authRouter } from './auth.router';
import { profileRouter } from './profile.router';
import { parseCookies, Sessions } from './session';
import { errorHandler, notFoundHandler } from './errors';
import { operationsRouter } from './operations.router';
import { requestLogging } from './request-logging';

/**
 * The whole HTTP surface as a request listener, without a server, so tests drive it with supertest: Google's
 * pushes answered ahead of express (PushReceiver.direct), everything else by the express app. `mount` adds routers
 * of the process to that app (the offline Google sandbox).
 */
export function createApp(
  container: Container,
  mount: (app: Express) => void = () => undefined,
): RequestListener {
  const config = container.get<Config>(TOKENS.Config);
  const logger = container.get<Logger>(TOKENS.Logger);
  const metrics = container.get<Metrics>(TOKENS.Metrics);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Google's pushes come first: the busiest route needs none of the middleware below (security headers are for
  // browsers; a push's answer is an empty status), and logs and measures itself.
  const pushes = pushReceiver({ handle: container.get(HandlePushNotification), metrics, logger });
  app.post(WEBHOOK_PATH, pushes.route);
  app.use(requestLogging(logger, metrics));
  app.use(
    operationsRouter({ health: container.get<DatabaseHealth>(TOKENS.DatabaseHealth), metrics, logger }),
  );
  // Security headers on everything (CSP: our pages use only same-origin resources and inline styles).
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Upgrading to https only makes sense where the service is served over https.
        directives: { upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null },
      },
    }),
  );
  app.get(STYLESHEET_PATH, (_req, res) => {
    // The path names the content, so it never changes under a cached copy.
    res.set('Cache-Control', 'public, max-age=31536000, immutable').type('css').send(STYLESHEET);
  });
  app.use(parseCookies);
  const sessions = new Sessions(config.secretKey, config.publicUrl.startsWith('https:'));
  app.get('/', (_req, res) => res.redirect(302, '/profile'));
  app.use(
    authRouter({
      startSignIn: container.get(StartSignIn),
      completeSignIn: container.get(CompleteSignIn),
      sessions,
      logger,
      startsPerMinute: config.authRateLimitPerMinute,
    }),
  );
  app.use(
    adminPagesRouter({
      adminEmails: config.adminEmails,
      connectUrl: `${config.publicUrl}/auth/google`,
      sessions,
      members: container.get<MemberRepository>(TOKENS.MemberRepository),
      listConnections: container.get(ListConnections),
      requestResync: container.get(RequestResync),
      reconnectMember: container.get(ReconnectMember),
      disconnectMember: container.get(DisconnectMember),
      listEngagement: container.get(ListEngagement),
      getAccountEngagement: container.get(GetAccountEngagement),
      getAccount: container.get(GetAccount),
      listInteractions: container.get(ListInteractions),
      listUnmatchedMeetings: container.get(ListUnmatchedMeetings),
      directory: container.get<WorkspaceDirectory>(TOKENS.WorkspaceDirectory),
      enrolMembers: container.get(EnrolMembers),
      webhookEndpoints: container.get(ManageWebhookEndpoints),
      httpsOnly: config.nodeEnv === 'production',
    }),
  );
  // After the pages: their guard admits only admins to /admin, these included.
  app.use(
    adminCsvRouter({
      sessions,
      logger,
      previewAccountImport: container.get(PreviewAccountImport),
      previewContactImport: container.get(PreviewContactImport),
      upsertAccounts: container.get(UpsertAccounts),
      upsertContacts: container.get(UpsertContacts),
      getAccount: container.get(GetAccount),
      listInteractions: container.get(ListInteractions),
      listInteractionsByDate: container.get(ListInteractionsByDate),
    }),
  );
  app.use(
    profileRouter({
      getProfile: container.get(GetProfile),
      disconnect: container.get(DisconnectMember),
      sessions,
    }),
  );
  mount(app);
  // The API's description is public (it holds no data), so clients can read it before they have a key.
  const openApi = openApiDocument(config.publicUrl);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
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
      getAccountEngagement: container.get(GetAccountEngagement),
      listEngagement: container.get(ListEngagement),
      listInteractions: container.get(ListInteractions),
      listUnmatchedMeetings: container.get(ListUnmatchedMeetings),
      renewChannels: container.get(RenewExpiringChannels),
      listConnections: container.get(ListConnections),
      requestResync: container.get(RequestResync),
      reconnectMember: container.get(ReconnectMember),
      disconnectMember: container.get(DisconnectMember),
      listChanges: container.get(ListChanges),
      listAllInteractions: container.get(ListAllInteractions),
      enrolMembers: container.get(EnrolMembers),
      webhookEndpoints: container.get(ManageWebhookEndpoints),
      httpsOnly: config.nodeEnv === 'production',
      connectUrl: `${config.publicUrl}/auth/google`,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return (req, res) => {
    if (!pushes.direct(req, res)) app(req, res);
  };
}
