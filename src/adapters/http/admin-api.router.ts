import express, { Router } from 'express';

import { type DeleteAccount } from '../../application/use-cases/delete-account.use-case';
import { type DeleteContact } from '../../application/use-cases/delete-contact.use-case';
import { type GetAccount } from '../../application/use-cases/get-account.use-case';
import { type ListAccounts } from '../../application/use-cases/list-accounts.use-case';
import type { GetAccountEngagement } from '../../application/use-cases/get-account-engagement.use-case';
import type { ListEngagement } from '../../application/use-cases/list-engagement.use-case';
import { type UpsertAccounts } from '../../application/use-cases/upsert-accounts.use-case';
import { type UpsertContacts } from '../../application/use-cases/upsert-contacts.use-case';
import type { TimelineCursor } from '../../application/ports/meeting-repository.port';
import type { ListInteractions } from '../../application/use-cases/list-interactions.use-case';
import type { RenewExpiringChannels } from '../../application/use-cases/renew-expiring-channels.use-case';
import type { ListUnmatchedMeetings } from '../../application/use-cases/list-unmatched-meetings.use-case';
import { ValidationFailedError } from '../../domain/errors';
import type { DisconnectMember } from '../../application/use-cases/disconnect-member.use-case';
import type { ListConnections } from '../../application/use-cases/list-connections.use-case';
import type { ReconnectMember } from '../../application/use-cases/reconnect-member.use-case';
import type { RequestResync } from '../../application/use-cases/request-resync.use-case';
import type { ListAllInteractions } from '../../application/use-cases/list-all-interactions.use-case';
import type { ListChanges } from '../../application/use-cases/list-changes.use-case';
import type { EnrolMembers } from '../../application/use-cases/enrol-members.use-case';
import type { ManageWebhookEndpoints } from '../../application/use-cases/manage-webhook-endpoints.use-case';
import {
  accountEngagementQuerySchema,
  allInteractionsQuerySchema,
  changesQuerySchema,
  engagementListQuerySchema,
  enrolMembersSchema,
  httpsWebhookEndpointSchema,
  interactionsQuerySchema,
  listAccountsQuerySchema,
  meetingsQuerySchema,
  putAccountsSchema,
  putContactsSchema,
  webhookEndpointSchema,
} from './admin-api.schemas';
import { bearerAuth } from './bearer-auth';
import {
  decodeEngagementCursor,
  encodeEngagementCursor,
  engagementJson,
  sortParam,
  TOP_MEMBERS,
  TOP_MEMBERS_IN_LIST,
} from './engagement-params';
import {
  accountsCursor,
  decodeCursor,
  decodeFeedCursor,
  decodeInteractionsCursor,
  encodeCursor,
  encodeFeedCursor,
  encodeInteractionsCursor,
} from './cursor';
import { accountIdParam, memberIdParam, UUID, uuidParam } from './ids';
import { parseIsoInstant } from './time-params';

/** CONTRACT.md: a renewal run asked for over HTTP answers within 30 s; it claims no new batch after 20 s. */
const RENEW_CLAIMS_UNTIL_MS = 20_000;
const RENEW_ANSWER_WITHIN_MS = 28_000;

/** Bulk uploads of 10,000 rows fit easily; anything larger is refused before it is parsed. */
export const ADMIN_API_BODY_LIMIT = '10mb';

export interface AdminApiDependencies {
  adminApiKey: string;
  upsertAccounts: UpsertAccounts;
  upsertContacts: UpsertContacts;
  deleteAccount: DeleteAccount;
  deleteContact: DeleteContact;
  getAccount: GetAccount;
  listAccounts: ListAccounts;
  getAccountEngagement: GetAccountEngagement;
  listEngagement: ListEngagement;
  listInteractions: ListInteractions;
  listUnmatchedMeetings: ListUnmatchedMeetings;
  renewChannels: RenewExpiringChannels;
  listConnections: ListConnections;
  requestResync: RequestResync;
  reconnectMember: ReconnectMember;
  disconnectMember: DisconnectMember;
  enrolMembers: EnrolMembers;
  listChanges: ListChanges;
  listAllInteractions: ListAllInteractions;
  webhookEndpoints: ManageWebhookEndpoints;
  /** NODE_ENV=production: webhook endpoints must be https. */
  httpsOnly: boolean;
  /** Where a member consents again (absolute). */
  connectUrl: string;
}

export function adminApiRouter(deps: AdminApiDependencies): Router {
  const router = Router();
  router.use(bearerAuth(deps.adminApiKey));
  router.use(express.json({ limit: ADMIN_API_BODY_LIMIT, strict: false }));

  router.put('/accounts', async (req, res) => {
    res.json(await deps.upsertAccounts.execute(putAccountsSchema.parse(req.body ?? null)));
  });

  router.get('/accounts', async (req, res) => {
    const query = listAccountsQuerySchema.parse(req.query);
    const afterId = accountsCursor(query.cursor);
    const page = await deps.listAccounts.execute({ limit: query.limit, afterId });
    res.json({
      accounts: page.accounts,
      nextCursor: page.nextAfterId === null ? null : encodeCursor({ after: page.nextAfterId }),
    });
  });

  router.get('/accounts/:id', async (req, res) => {
    res.json(await deps.getAccount.execute(accountIdParam(req.params.id)));
  });

  router.get('/accounts/:id/engagement', async (req, res) => {
    const query = accountEngagementQuerySchema.parse(req.query);
    const engagement = await deps.getAccountEngagement.execute({
      accountId: accountIdParam(req.params.id),
      ...query,
      topMembers: TOP_MEMBERS,
    });
    res.json(engagementJson(engagement));
  });

  router.get('/engagement', async (req, res) => {
    const query = engagementListQuerySchema.parse(req.query);
    const page = await deps.listEngagement.execute({
      limit: query.limit,
      sort: query.sort.sort,
      direction: query.sort.direction,
      search: query.q,
      notMetDays: query.notMetDays ?? null,
      neverMet: query.neverMet === 'true',
      weeks: query.weeks,
      weeksAhead: query.weeksAhead,
      topMembers: TOP_MEMBERS_IN_LIST,
      after: decodeEngagementCursor(query.cursor, query.sort.sort, query.sort.direction),
    });
    res.json({
      accounts: page.items.map(engagementJson),
      total: page.total,
      nextCursor:
        page.next === null
          ? null
          : encodeEngagementCursor(sortParam(query.sort.sort, query.sort.direction), page.next),
    });
  });

  router.get('/accounts/:id/interactions', async (req, res) => {
    const query = interactionsQuerySchema.parse(req.query);
    const page = await deps.listInteractions.execute({
      accountId: accountIdParam(req.params.id),
      from: query.from?.kind === 'instant' ? query.from.at : null,
      to: query.to?.kind === 'instant' ? query.to.at : null,
      fromDate: query.from?.kind === 'date' ? query.from.date : null,
      toDate: query.to?.kind === 'date' ? query.to.date : null,
      limit: query.limit,
      after: timelineCursor(query.cursor),
    });
    res.json({
      interactions: page.items,
      nextCursor: page.next === null ? null : encodeCursor({ ...page.next }),
    });
  });

  router.get('/meetings', async (req, res) => {
    const query = meetingsQuerySchema.parse(req.query);
    const page = await deps.listUnmatchedMeetings.execute(query.limit, timelineCursor(query.cursor));
    res.json({
      meetings: page.items,
      nextCursor: page.next === null ? null : encodeCursor({ ...page.next }),
    });
  });

  router.get('/connections', async (_req, res) => {
    const connections = await deps.listConnections.execute();
    res.json({
      connections: connections.map((c) => ({
        memberId: c.memberId,
        email: c.email,
        status: c.status,
        via: c.via,
        channelExpiresAt: c.channelExpiresAt?.toISOString() ?? null,
        lastSyncAt: c.lastSyncAt?.toISOString() ?? null,
        lastError: c.lastError,
      })),
    });
  });

  router.post('/members', async (req, res) => {
    const request = enrolMembersSchema.parse(req.body ?? null);
    res.json(await deps.enrolMembers.execute(request));
  });

  router.post('/connections/:memberId/resync', async (req, res) => {
    const result = await deps.requestResync.execute(memberIdParam(req.params.memberId));
    if (result.queued) res.status(202).json({ status: result.status, fullSync: 'queued' });
    else res.status(409).json({ status: result.status, connectUrl: deps.connectUrl });
  });

  router.post('/connections/:memberId/reconnect', async (req, res) => {
    const result = await deps.reconnectMember.execute(memberIdParam(req.params.memberId));
    if (result.status === 'active') res.json({ status: 'active' });
    else res.status(409).json({ status: 'needs_reconnect', connectUrl: deps.connectUrl });
  });

  router.delete('/connections/:memberId', async (req, res) => {
    await deps.disconnectMember.execute(memberIdParam(req.params.memberId));
    res.status(204).end();
  });

  router.post('/channels/renew', async (_req, res) => {
    // Answers in time even when Google hangs: the run goes on, and what it did so far is the answer.
    const progress = { renewed: 0, failed: 0, stopped: 0 };
    const run = deps.renewChannels.execute({
      deadline: new Date(Date.now() + RENEW_CLAIMS_UNTIL_MS),
      result: progress,
    });
    run.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      run,
      new Promise((resolve) => (timer = setTimeout(resolve, RENEW_ANSWER_WITHIN_MS))),
    ]);
    clearTimeout(timer);
    const { renewed, failed } = progress;
    res.json({ renewed, failed });
  });

  router.get('/interactions', async (req, res) => {
    const query = allInteractionsQuerySchema.parse(req.query);
    const page = await deps.listAllInteractions.execute({
      limit: query.limit,
      after: query.cursor === undefined ? null : decodeInteractionsCursor(query.cursor),
    });
    res.json({
      interactions: page.items,
      nextCursor: page.next === null ? null : encodeInteractionsCursor(page.next, page.changesFrom),
      changesCursor: encodeFeedCursor(page.changesFrom),
    });
  });

  router.get('/changes', async (req, res) => {
    const query = changesQuerySchema.parse(req.query);
    const page = await deps.listChanges.execute({
      after: query.cursor === undefined ? null : decodeFeedCursor(query.cursor),
      limit: query.limit,
      waitSeconds: query.wait,
    });
    res.json({
      changes: page.changes.map(({ id, type, occurredAt, data }) => ({
        id,
        type,
        occurredAt: occurredAt.toISOString(),
        data,
      })),
      nextCursor: encodeFeedCursor(page.next),
    });
  });

  const endpointBody = deps.httpsOnly ? httpsWebhookEndpointSchema : webhookEndpointSchema;
  router.post('/webhook-endpoints', async (req, res) => {
    const body = endpointBody.parse(req.body ?? null);
    const created = await deps.webhookEndpoints.create({
      url: body.url,
      description: body.description || null,
    });
    res.status(201).json({
      id: created.id,
      url: created.url,
      description: created.description,
      secret: created.secret,
      createdAt: created.createdAt.toISOString(),
    });
  });

  router.get('/webhook-endpoints', async (_req, res) => {
    const endpoints = await deps.webhookEndpoints.list();
    res.json({
      endpoints: endpoints.map((endpoint) => ({
        id: endpoint.id,
        url: endpoint.url,
        description: endpoint.description,
        createdAt: endpoint.createdAt.toISOString(),
        status: endpoint.status,
        disabledAt: endpoint.disabledAt?.toISOString() ?? null,
        lastDeliveredAt: endpoint.lastDeliveredAt?.toISOString() ?? null,
        failingSince: endpoint.failingSince?.toISOString() ?? null,
        lastError: endpoint.lastError,
        pendingChanges: endpoint.pending,
      })),
    });
  });

  router.delete('/webhook-endpoints/:id', async (req, res) => {
    await deps.webhookEndpoints.delete(uuidParam(req.params.id, 'id'));
    res.status(204).end();
  });

  router.get('/webhook-endpoints/:id/deliveries', async (req, res) => {
    const attempts = await deps.webhookEndpoints.deliveries(uuidParam(req.params.id, 'id'));
    res.json({
      deliveries: attempts.map((attempt) => ({ ...attempt, attemptedAt: attempt.attemptedAt.toISOString() })),
    });
  });

  router.delete('/accounts/:id', async (req, res) => {
    await deps.deleteAccount.execute(accountIdParam(req.params.id));
    res.status(204).end();
  });

  router.put('/contacts', async (req, res) => {
    res.json(await deps.upsertContacts.execute(putContactsSchema.parse(req.body ?? null)));
  });

  router.delete('/contacts/:email', async (req, res) => {
    await deps.deleteContact.execute(req.params.email);
    res.status(204).end();
  });

  return router;
}

/** Our timeline cursors hold a start as `toISOString()` wrote it and a UUID; anything else is not ours. */
function timelineCursor(cursor: string | undefined): TimelineCursor | null {
  if (cursor === undefined) return null;
  const { startTime, id } = decodeCursor(cursor, ['startTime', 'id']);
  if (!UUID.test(id!) || parseIsoInstant(startTime!)?.toISOString() !== startTime) {
    throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
  }
  return { startTime: startTime!, id: id! };
}
