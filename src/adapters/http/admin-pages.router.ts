import { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { ZodError } from 'zod';

import type { InteractionView, UnmatchedMeetingView } from '../../application/ports/meeting-repository.port';
import type { MemberRepository } from '../../application/ports/member-repository.port';
import type { DisconnectMember } from '../../application/use-cases/disconnect-member.use-case';
import type { GetAccount } from '../../application/use-cases/get-account.use-case';
import type { ListEngagement } from '../../application/use-cases/list-engagement.use-case';
import type { GetAccountEngagement } from '../../application/use-cases/get-account-engagement.use-case';
import type { ListConnections } from '../../application/use-cases/list-connections.use-case';
import type { ListInteractions } from '../../application/use-cases/list-interactions.use-case';
import type { ListUnmatchedMeetings } from '../../application/use-cases/list-unmatched-meetings.use-case';
import type { ReconnectMember } from '../../application/use-cases/reconnect-member.use-case';
import type { RequestResync } from '../../application/use-cases/request-resync.use-case';
import type { ManageWebhookEndpoints } from '../../application/use-cases/manage-webhook-endpoints.use-case';
import type { EnrolMembers, EnrolOutcome } from '../../application/use-cases/enrol-members.use-case';
import type { WorkspaceDirectory } from '../../application/ports/workspace-directory.port';
import type {
  DeliveryAttemptView,
  WebhookEndpointView,
} from '../../application/ports/webhook-endpoint-repository.port';
import { DomainError, NotFoundError, ValidationFailedError } from '../../domain/errors';
import { enrolMembersSchema, httpsWebhookEndpointSchema, webhookEndpointSchema } from './admin-api.schemas';
import {
  accountEngagementSection,
  accountsPage,
  accountsPageQuerySchema,
  ACCOUNTS_PAGE_SIZE,
  CADENCE_WEEKS,
  CADENCE_WEEKS_AHEAD,
  meetingTitle,
  SPARKLINE_WEEKS,
} from './account-pages';
import {
  decodeEngagementCursor,
  encodeEngagementCursor,
  sortParam,
  TOP_MEMBERS,
  TOP_MEMBERS_IN_LIST,
} from './engagement-params';
import { httpStatusOf, zodIssues } from './errors';
import { protectedForm } from './forms';
import { accountIdParam, memberIdParam, uuidParam } from './ids';
import { adminNav } from './admin-nav';
import { html, page, type SafeHtml, timeTag } from './html';
import type { Sessions } from './session';

/** Contacts shown on an account's page, most recently met first. */
const CONTACTS_SHOWN = 500;

export interface AdminPagesDependencies {
  adminEmails: readonly string[];
  connectUrl: string;
  sessions: Sessions;
  members: MemberRepository;
  listConnections: ListConnections;
  requestResync: RequestResync;
  reconnectMember: ReconnectMember;
  disconnectMember: DisconnectMember;
  listEngagement: ListEngagement;
  getAccountEngagement: GetAccountEngagement;
  getAccount: GetAccount;
  listInteractions: ListInteractions;
  listUnmatchedMeetings: ListUnmatchedMeetings;
  webhookEndpoints: ManageWebhookEndpoints;
  /** NODE_ENV=production: webhook endpoints must be https. */
  httpsOnly: boolean;
  enrolMembers: EnrolMembers;
  directory: WorkspaceDirectory;
}

const STATUS_TEXT = {
  active: 'Connected',
  needs_reconnect: 'Needs reconnecting',
  disconnected: 'Disconnected',
};
// About the unmatched attendees only: the meeting may well be recorded on accounts its other attendees matched.
const REASON_TEXT = {
  no_match: 'No account matches these attendees',
  ambiguous_domain: 'Several accounts share the domain',
};
const VIA_TEXT = { oauth: 'Signed in', delegation: 'Workspace admin' };

/** What an admin action reports on the connections page. */
const NOTICES = {
  resync_queued: () => 'Full resync queued.',
  resync_refused: () => 'Not resynced: the connection is not active.',
  reconnected: () => 'Reconnected: a full sync is queued and a new channel opened.',
  reconnect_refused: (connectUrl: string) =>
    `Google refused the stored access: ask the member to sign in again at ${connectUrl}`,
  disconnected: () => 'Disconnected: tokens deleted, interactions kept.',
  no_member: () => 'No such member.',
  google_unavailable: () => 'Google could not be reached or asked us to slow down: try again in a minute.',
  google_refused: () => 'Google refused the request.',
  refused: () => 'The action was refused.',
} satisfies Record<string, (connectUrl: string) => string>;
type Notice = keyof typeof NOTICES;

function noticeFor(error: DomainError): Notice {
  if (error.code === 'not_found' || error.code === 'validation_failed') return 'no_member';
  if (error.code === 'google_unavailable' || error.code === 'rate_limited') return 'google_unavailable';
  if (error.code === 'google_request_failed') return 'google_refused';
  return 'refused';
}

function noticeText(code: unknown, connectUrl: string): string | null {
  return typeof code === 'string' && Object.hasOwn(NOTICES, code)
    ? NOTICES[code as Notice](connectUrl)
    : null;
}

/** Admin pages for signed-in members listed in ADMIN_EMAILS: connections, account timelines, unmatched meetings. */
export function adminPagesRouter(deps: AdminPagesDependencies): Router {
  const router = Router();
  const admins = new Set(deps.adminEmails.map((email) => email.toLowerCase()));

  router.use('/admin', async (req, res, next) => {
    const memberId = deps.sessions.memberId(req);
    if (memberId === null) {
      res.redirect(302, '/profile');
      return;
    }
    const member = await deps.members.get(memberId);
    if (member === null || !admins.has(member.email)) {
      res
        .status(403)
        .type('html')
        .send(
          page(
            'Admins only',
            html`<h1>Admins only</h1>
              <p>These pages are for the members listed in ADMIN_EMAILS.</p>`,
          ),
        );
      return;
    }
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/admin', async (req, res) => {
    const connections = await deps.listConnections.execute();
    const csrf = deps.sessions.csrfToken(req) ?? '';
    const notice = noticeText(req.query.notice, deps.connectUrl);
    send(
      res,
      'Connections',
      html`${adminNav('/admin')}
        <h1>Connections</h1>
        ${notice === null ? '' : html`<p class="notice" role="status">${notice}</p>`}
        <table>
          <thead>
            <tr>
              <th>Member</th>
              <th>Connected by</th>
              <th>Status</th>
              <th>Problem</th>
              <th>Last sync</th>
              <th>Channel expires</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            ${connections.map(
              (c) =>
                html`<tr data-member="${c.memberId}">
                  <td>${c.email}</td>
                  <td data-via="${c.via}">${VIA_TEXT[c.via]}</td>
                  <td><span class="status" data-status="${c.status}">${STATUS_TEXT[c.status]}</span></td>
                  <td class="error">${c.lastError ?? ''}</td>
                  <td>${timeTag(c.lastSyncAt, '—')}</td>
                  <td>${timeTag(c.channelExpiresAt, '—')}</td>
                  <td class="actions">
                    ${action(c.memberId, 'resync', 'Resync', csrf)}
                    ${action(c.memberId, 'reconnect', 'Reconnect', csrf)}
                    ${c.status === 'disconnected' ? '' : action(c.memberId, 'disconnect', 'Disconnect', csrf)}
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${connections.length === 0 ? html`<p>No member has connected yet.</p>` : ''}
        ${enrolForm(csrf, deps.directory, { emails: '', domain: '' }, [])}`,
    );
  });

  router.post('/admin/members', ...protectedForm(deps.sessions), async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const values = {
      emails: typeof form.emails === 'string' ? form.emails : '',
      domain: typeof form.domain === 'string' ? form.domain.trim() : '',
    };
    const emails = values.emails
      .split(/[\s,;]+/)
      .map((email) => email.trim())
      .filter(Boolean);
    const body =
      values.domain === ''
        ? { emails }
        : emails.length === 0
          ? { domain: values.domain }
          : { emails, domain: values.domain };
    const parsed = enrolMembersSchema.safeParse(body);
    const csrf = deps.sessions.csrfToken(req) ?? '';
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) =>
        issue.path.length === 0 ? issue.message : `${issue.path.join(' ')}: ${issue.message}`,
      );
      res
        .status(400)
        .type('html')
        .send(page('Enrol team', html`${adminNav()}${enrolForm(csrf, deps.directory, values, problems)}`));
      return;
    }
    const outcome = await deps.enrolMembers.execute(parsed.data);
    send(res, 'Enrol team', html`${adminNav()}${enrolResult(outcome)}`);
  });

  router.post(
    '/admin/connections/:memberId/:action',
    ...protectedForm(deps.sessions),
    async (req: Request<{ memberId: string; action: string }>, res) => {
      const { action } = req.params;
      let notice: Notice;
      try {
        const memberId = memberIdParam(req.params.memberId);
        if (action === 'resync') {
          notice = (await deps.requestResync.execute(memberId)).queued ? 'resync_queued' : 'resync_refused';
        } else if (action === 'reconnect') {
          const result = await deps.reconnectMember.execute(memberId);
          notice = result.status === 'active' ? 'reconnected' : 'reconnect_refused';
        } else if (action === 'disconnect') {
          await deps.disconnectMember.execute(memberId);
          notice = 'disconnected';
        } else {
          res
            .status(404)
            .type('html')
            .send(page('Not found', html`<h1>Not found</h1>`));
          return;
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        notice = noticeFor(error);
      }
      // The notice travels as a code: the page shows only sentences of its own, never text from the URL.
      res.redirect(303, `/admin?notice=${notice}`);
    },
  );

  router.get('/admin/accounts', async (req, res) => {
    const query = accountsPageQuerySchema.parse(req.query);
    const { sort, direction } = query.sort;
    const result = await deps.listEngagement.execute({
      limit: ACCOUNTS_PAGE_SIZE,
      sort,
      direction,
      search: query.q === '' ? null : query.q,
      notMetDays: query.met === '' || query.met === 'never' ? null : Number(query.met),
      neverMet: query.met === 'never',
      weeks: SPARKLINE_WEEKS,
      weeksAhead: 0,
      topMembers: TOP_MEMBERS_IN_LIST,
      after: decodeEngagementCursor(query.cursor, sort, direction),
    });
    const nextCursor =
      result.next === null ? null : encodeEngagementCursor(sortParam(sort, direction), result.next);
    send(res, 'Accounts', html`${adminNav('/admin/accounts')}${accountsPage(query, result, nextCursor)}`);
  });

  router.get('/admin/accounts/:id', async (req: Request<{ id: string }>, res) => {
    const account = await deps.getAccount.execute(accountIdParam(req.params.id));
    const [engagement, contacts, interactions] = await Promise.all([
      deps.getAccountEngagement.execute({
        accountId: account.id,
        weeks: CADENCE_WEEKS,
        weeksAhead: CADENCE_WEEKS_AHEAD,
        topMembers: TOP_MEMBERS,
      }),
      deps.getAccountEngagement.contacts(account.id, CONTACTS_SHOWN),
      deps.listInteractions.execute({
        accountId: account.id,
        from: null,
        to: null,
        fromDate: null,
        toDate: null,
        limit: 200,
        after: null,
      }),
    ]);
    send(
      res,
      account.name,
      html`${adminNav('/admin/accounts')}
        <h1>${account.name}</h1>
        <p>
          ${account.domains.join(', ') || 'No domains'} · ${account.contactCount} contacts ·
          <small>${account.id}</small>
        </p>
        ${accountEngagementSection(engagement, contacts, account.contactCount)}
        <h2>Interactions</h2>
        <p>
          <a href="/admin/accounts/${encodeURIComponent(account.id)}/interactions.csv">Export all as CSV</a>
          (or a date range from <a href="/admin/import">Import and export CSV</a>)
        </p>
        ${interactions.items.length === 0 ? html`<p>No meeting recorded yet.</p>` : timeline(interactions.items)}`,
    );
  });

  router.get('/admin/meetings', async (_req, res) => {
    const meetings = await deps.listUnmatchedMeetings.execute(200, null);
    send(
      res,
      'Unmatched meetings',
      html`${adminNav('/admin/meetings')}
        <h1>Unmatched meetings</h1>
        <p>
          Meetings with an outside attendee (not a member of the team, not of an internal domain) no account
          matched: add the contact or the domain to the right account. A meeting is still recorded on the
          accounts its other attendees matched.
        </p>
        ${
          meetings.items.length === 0
            ? html`<p>Nothing to fix.</p>`
            : unmatchedTable(meetings.items, meetings.accountNames)
        }`,
    );
  });

  router.get('/admin/webhooks', async (req, res) => {
    const endpoints = await deps.webhookEndpoints.list();
    const notice =
      req.query.notice === 'endpoint_deleted' ? 'Endpoint deleted: nothing more is sent to it.' : null;
    send(
      res,
      'Webhooks',
      webhooksPage(endpoints, deps.sessions.csrfToken(req) ?? '', deps.httpsOnly, {
        notice,
        problems: [],
        values: { url: '', description: '' },
      }),
    );
  });

  const endpointBody = deps.httpsOnly ? httpsWebhookEndpointSchema : webhookEndpointSchema;
  router.post('/admin/webhooks', ...protectedForm(deps.sessions), async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const values = {
      url: typeof form.url === 'string' ? form.url : '',
      description: typeof form.description === 'string' ? form.description : '',
    };
    const parsed = endpointBody.safeParse(values);
    const csrf = deps.sessions.csrfToken(req) ?? '';
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
      res
        .status(400)
        .type('html')
        .send(
          page(
            'Webhooks',
            webhooksPage(await deps.webhookEndpoints.list(), csrf, deps.httpsOnly, {
              notice: null,
              problems,
              values,
            }),
          ),
        );
      return;
    }
    const created = await deps.webhookEndpoints.create({
      url: parsed.data.url,
      description: parsed.data.description || null,
    });
    // The secret is on this answer only (no-store): a redirect would have to carry it in a URL.
    res
      .status(201)
      .type('html')
      .send(
        page(
          'Endpoint added',
          html`${adminNav()}
            <h1>Endpoint added</h1>
            <p>Changes from now on are sent to <strong>${created.url}</strong>.</p>
            <p>
              Its signing secret is shown this once: give it to the receiver, which verifies every delivery
              with it (Standard Webhooks).
            </p>
            <p><label for="secret">Signing secret</label></p>
            <p><input id="secret" readonly size="60" value="${created.secret}" /></p>
            <p><a href="/admin/webhooks">Back to the webhooks</a></p>`,
        ),
      );
  });

  router.get('/admin/webhooks/:id', async (req: Request<{ id: string }>, res) => {
    const id = uuidParam(req.params.id, 'id');
    const attempts = await deps.webhookEndpoints.deliveries(id);
    const endpoint = (await deps.webhookEndpoints.list()).find((candidate) => candidate.id === id);
    if (endpoint === undefined) throw new NotFoundError(`No webhook endpoint "${id}"`);
    send(
      res,
      'Webhook endpoint',
      html`${adminNav()}
        <h1>${endpoint.url}</h1>
        ${endpointHealth(endpoint)}
        <h2>Recent attempts</h2>
        ${attempts.length === 0 ? html`<p>Nothing sent yet.</p>` : attemptsTable(attempts)}`,
    );
  });

  router.post(
    '/admin/webhooks/:id/delete',
    ...protectedForm(deps.sessions),
    async (req: Request<{ id: string }>, res) => {
      await deps.webhookEndpoints.delete(uuidParam(req.params.id, 'id'));
      res.redirect(303, '/admin/webhooks?notice=endpoint_deleted');
    },
  );

  // Errors of these pages are pages too: a bad id or cursor reads as a 404 or 400 page, not as JSON.
  router.use('/admin', ((caught: unknown, _req, res, next) => {
    const error = caught instanceof ZodError ? new ValidationFailedError(zodIssues(caught)) : caught;
    if (!(error instanceof DomainError)) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    res
      .status(status)
      .type('html')
      .send(
        page(
          status === 404 ? 'Not found' : 'Refused',
          html`${adminNav()}
            <h1>${status === 404 ? 'Not found' : 'Refused'}</h1>
            <p class="error">${error.message}</p>
            ${
              error instanceof ValidationFailedError
                ? html`<ul class="error" role="alert">
                    ${error.issues.map((issue) => html`<li>${issue.path.join(' ')}: ${issue.message}</li>`)}
                  </ul>`
                : ''
            }`,
        ),
      );
  }) satisfies ErrorRequestHandler);

  return router;
}

function enrolForm(
  csrf: string,
  directory: WorkspaceDirectory,
  values: { emails: string; domain: string },
  problems: string[],
): SafeHtml {
  if (!directory.delegationConfigured) {
    return html`<h2>Enrol team</h2>
      <p>
        Domain-wide delegation is not configured: set GOOGLE_SERVICE_ACCOUNT_KEY to enrol members without
        their consent screens (see the README).
      </p>`;
  }
  return html`<h2>Enrol team</h2>
    <p>
      Connects members through the Workspace's domain-wide delegation, without their consent screens. Members
      already connected stay as they are.
    </p>
    ${
      problems.length === 0
        ? ''
        : html`<ul class="error" role="alert">
            ${problems.map((problem) => html`<li>${problem}</li>`)}
          </ul>`
    }
    <form method="post" action="/admin/members">
      <input type="hidden" name="csrf" value="${csrf}" />
      <p>
        <label for="emails">Emails (one per line)</label><br />
        <textarea id="emails" name="emails" rows="4" cols="50">${values.emails}</textarea>
      </p>
      ${
        directory.directoryConfigured
          ? html`<p>
              <label for="domain">or every active user of the domain</label><br />
              <input id="domain" name="domain" size="30" value="${values.domain}" placeholder="ourco.com" />
            </p>`
          : ''
      }
      <p><button type="submit">Enrol</button></p>
    </form>`;
}

function enrolResult(outcome: EnrolOutcome): SafeHtml {
  return html`<h1>Enrol team</h1>
    <p class="notice" role="status">
      ${outcome.enrolled.length} enrolled, ${outcome.failed.length} refused by Google.
    </p>
    ${
      outcome.enrolled.length === 0
        ? ''
        : html`<h2>Enrolled</h2>
            <ul>
              ${outcome.enrolled.map((member) => html`<li data-member="${member.memberId}">${member.email}</li>`)}
            </ul>`
    }
    ${
      outcome.failed.length === 0
        ? ''
        : html`<h2>Refused</h2>
            <ul>
              ${outcome.failed.map((failure) => html`<li>${failure.email}: <span class="error">${failure.reason}</span></li>`)}
            </ul>`
    }
    <p><a href="/admin">Back to the connections</a></p>`;
}

function send(res: Response, title: string, body: SafeHtml): void {
  res.type('html').send(page(title, body));
}

function action(memberId: string, name: string, label: string, csrf: string): SafeHtml {
  return html`<form method="post" action="/admin/connections/${memberId}/${name}" class="inline">
    <input type="hidden" name="csrf" value="${csrf}" /><button type="submit">${label}</button>
  </form>`;
}

function timeline(items: readonly InteractionView[]): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        <th>Date</th>
        <th>Start</th>
        <th>Duration</th>
        <th>Meeting</th>
        <th>Participants (minutes in meeting)</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (i) =>
          html`<tr>
            <td>${i.date}</td>
            <td>${i.startTime.slice(11, 16)} UTC</td>
            <td>${i.durationMinutes} min</td>
            <td>${meetingTitle(i)} <small>matched by ${i.matchedBy}</small></td>
            <td>
              <ul>
                ${i.participants.map(
                  (p) =>
                    html`<li>
                      ${p.name === null ? p.email : html`${p.name} <small>${p.email}</small>`} —
                      ${p.minutesInMeeting} min${p.responseStatus === 'declined' ? ' (declined)' : ''}
                    </li>`,
                )}
              </ul>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function unmatchedTable(
  items: readonly UnmatchedMeetingView[],
  accountNames: ReadonlyMap<string, string>,
): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        <th>Start</th>
        <th>Meeting</th>
        <th>Why</th>
        <th>Unmatched attendees</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (m) =>
          html`<tr>
            <td>${m.startTime.slice(0, 16).replace('T', ' ')} UTC</td>
            <td>${meetingTitle(m)}</td>
            <td>
              ${REASON_TEXT[m.reason]}${m.candidateAccountIds.length > 0 ? html`: ${m.candidateAccountIds.join(', ')}` : ''}
              ${
                m.matchedAccountIds.length > 0
                  ? html`<br />Recorded on:
                      ${m.matchedAccountIds.map(
                        (id, i) =>
                          html`${i > 0 ? ', ' : ''}<a href="/admin/accounts/${encodeURIComponent(id)}"
                              >${accountNames.get(id) ?? id}</a
                            >`,
                      )}`
                  : ''
              }
            </td>
            <td>${m.unmatchedEmails.map((email) => html`${email}<br />`)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const ENDPOINT_STATUS_TEXT = { active: 'Active', disabled: 'Disabled' };
const ATTEMPT_STATUS_TEXT = { delivered: 'Delivered', failed: 'Failed', pending: 'Sending' };

function webhooksPage(
  endpoints: readonly WebhookEndpointView[],
  csrf: string,
  httpsOnly: boolean,
  form: { notice: string | null; problems: string[]; values: { url: string; description: string } },
): SafeHtml {
  return html`${adminNav('/admin/webhooks')}
    <h1>Webhooks</h1>
    <p>
      Every change of an interaction (created, updated, deleted) is posted to each endpoint, in order, signed.
    </p>
    ${form.notice === null ? '' : html`<p class="notice" role="status">${form.notice}</p>`}
    <table>
      <thead>
        <tr>
          <th>Endpoint</th>
          <th>Health</th>
          <th>Last delivery</th>
          <th>Waiting</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        ${endpoints.map(
          (e) =>
            html`<tr data-endpoint="${e.id}">
              <td>
                <a href="/admin/webhooks/${e.id}">${e.url}</a>
                ${e.description === null ? '' : html`<br /><small>${e.description}</small>`}
              </td>
              <td>${endpointHealth(e)}</td>
              <td>${timeTag(e.lastDeliveredAt, 'Never')}</td>
              <td>${e.pending} changes</td>
              <td class="actions">
                <form method="post" action="/admin/webhooks/${e.id}/delete" class="inline">
                  <input type="hidden" name="csrf" value="${csrf}" /><button type="submit">Delete</button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${endpoints.length === 0 ? html`<p>No endpoint yet.</p>` : ''}
    <h2>Add an endpoint</h2>
    ${
      form.problems.length === 0
        ? ''
        : html`<ul class="error" role="alert">
            ${form.problems.map((problem) => html`<li>${problem}</li>`)}
          </ul>`
    }
    <form method="post" action="/admin/webhooks">
      <input type="hidden" name="csrf" value="${csrf}" />
      <p>
        <label for="url">URL (${httpsOnly ? 'https' : 'http or https'})</label><br />
        <input id="url" name="url" type="url" required size="60" value="${form.values.url}" />
      </p>
      <p>
        <label for="description">Description (optional)</label><br />
        <input id="description" name="description" size="60" value="${form.values.description}" />
      </p>
      <p><button type="submit">Add endpoint</button></p>
    </form>`;
}

function endpointHealth(endpoint: WebhookEndpointView): SafeHtml {
  if (endpoint.status === 'disabled') {
    return html`<span class="status error" data-status="disabled">${ENDPOINT_STATUS_TEXT.disabled}</span>
      since ${timeTag(endpoint.disabledAt, '—')}: failing since ${timeTag(endpoint.failingSince, '—')}
      ${endpoint.lastError === null ? '' : html`<br /><small class="error">${endpoint.lastError}</small>`}`;
  }
  if (endpoint.failingSince !== null) {
    return html`<span class="status error" data-status="failing">Failing</span> since
      ${timeTag(endpoint.failingSince, '—')}
      ${endpoint.lastError === null ? '' : html`<br /><small class="error">${endpoint.lastError}</small>`}`;
  }
  return html`<span class="status" data-status="active">${ENDPOINT_STATUS_TEXT.active}</span>`;
}

function attemptsTable(attempts: readonly DeliveryAttemptView[]): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        <th>When</th>
        <th>Change</th>
        <th>Attempt</th>
        <th>Outcome</th>
      </tr>
    </thead>
    <tbody>
      ${attempts.map(
        (a) =>
          html`<tr>
            <td>${timeTag(a.attemptedAt, '—')}</td>
            <td>${a.type} <small>${a.changeId}</small></td>
            <td>${a.attempt}</td>
            <td>
              <span class="${a.status === 'failed' ? 'error' : ''}">${ATTEMPT_STATUS_TEXT[a.status]}</span>
              ${a.responseStatus === null ? '' : html` · HTTP ${a.responseStatus}`}
              ${a.error === null ? '' : html`<br /><small>${a.error}</small>`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
