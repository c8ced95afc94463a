import { z } from 'zod';

import {
  accountEngagementQuerySchema,
  allInteractionsQuerySchema,
  changesQuerySchema,
  engagementListQuerySchema,
  enrolMembersSchema,
  interactionsQuerySchema,
  listAccountsQuerySchema,
  meetingsQuerySchema,
  putAccountsSchema,
  putContactsSchema,
  webhookEndpointSchema,
} from './admin-api.schemas';

type JsonSchema = z.core.JSONSchema.JSONSchema;
type Json = Record<string, unknown>;

type SchemaName =
  | 'ErrorBody'
  | 'UpsertResult'
  | 'Account'
  | 'AccountDetails'
  | 'AccountPage'
  | 'Participant'
  | 'Interaction'
  | 'InteractionPage'
  | 'AccountEngagement'
  | 'EngagementPage'
  | 'UnmatchedMeeting'
  | 'UnmatchedMeetingPage'
  | 'Connection'
  | 'ConnectionList'
  | 'ResyncQueued'
  | 'NotActive'
  | 'Reconnected'
  | 'NeedsReconnect'
  | 'RenewResult'
  | 'AllInteractionsPage'
  | 'Change'
  | 'ChangePage'
  | 'WebhookEndpoint'
  | 'CreatedWebhookEndpoint'
  | 'WebhookEndpointList'
  | 'DeliveryAttempt'
  | 'DeliveryAttemptList'
  | 'EnrolOutcome';

type ErrorResponseName =
  | 'BadRequest'
  | 'Unauthorized'
  | 'NotFound'
  | 'DelegationNotConfigured'
  | 'Gone'
  | 'PayloadTooLarge'
  | 'GoogleRefused'
  | 'GoogleUnavailable';

/** Query parameters carry no description in zod; the schema itself still comes from zod. */
const QUERY_PARAMETER_DESCRIPTIONS: Record<string, string> = {
  limit: 'Page size.',
  cursor: 'The `nextCursor` of the previous page, as it was returned (opaque).',
  from:
    "Inclusive lower bound: a date (`2026-11-20`) compares with the interaction's local `date`, an instant " +
    'with a zone (`2026-11-20T15:00:00Z`) with its `startTime`.',
  to: 'Inclusive upper bound, read like `from`.',
  matched: 'Only `false` is supported: the meetings to fix.',
  wait: 'Seconds (at most 30) to hold an empty answer open until a change comes (long poll); 0 answers at once.',
  sort:
    'The order: `name`, `lastMeeting`, `nextMeeting`, `meetings30d`, `meetings90d` or `topMember`; a leading ' +
    '`-` reverses it. Never-met accounts count as met longest ago, accounts with nothing scheduled as next ' +
    'meeting last; ties go by account id.',
  q: 'Only accounts whose name, id or one of whose domains contains this text (case-insensitive).',
  notMetDays: 'Only accounts with no meeting in the last N days (accounts never met included).',
  neverMet: '`true`: only accounts with no past meeting at all.',
  weeks:
    '`weekly` covers this many weeks up to and including the current one (weeks start Monday 00:00 UTC).',
  weeksAhead: '`weekly` also covers this many weeks after the current one: meetings already scheduled.',
};

/**
 * The admin API (CONTRACT.md "Admin API") as an OpenAPI 3.1 document. Request bodies and query parameters are
 * the zod schemas the router parses with, converted, so they cannot disagree with what the API accepts.
 */
export function openApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'calendar-interactions admin API',
      // The contract only ever grows by additions, so the document is not versioned with the package.
      version: '1.0.0',
      description:
        'Accounts and contacts to match meetings against, the interactions and unmatched meetings that ' +
        "come out of it, the members' calendar connections, and the change feed and webhooks that carry every " +
        'change of the interactions out.',
    },
    servers: [{ url: serverUrl }],
    security: [{ adminApiKey: [] }],
    tags: [
      { name: 'Accounts and contacts' },
      { name: 'Interactions and meetings' },
      { name: 'Connections and channels' },
      { name: 'Interactions out' },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        adminApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: '`Authorization: Bearer <ADMIN_API_KEY>`; any other scheme or key is a 401.',
        },
      },
      schemas: componentSchemas(),
      responses: errorResponses(),
    },
  };
}

function paths(): Json {
  const accountId = pathParameter(
    'id',
    "The account's external id; one no account can have (empty, over 256 characters, control characters) is a 400.",
  );
  const memberId = pathParameter(
    'memberId',
    "The member's id: anything but a UUID is a 400, an unknown one a 404.",
    {
      type: 'string',
      format: 'uuid',
    },
  );
  const endpointId = pathParameter(
    'id',
    "The endpoint's id: anything but a UUID is a 400, an unknown one a 404.",
    { type: 'string', format: 'uuid' },
  );
  return {
    '/api/accounts': {
      put: {
        operationId: 'putAccounts',
        tags: ['Accounts and contacts'],
        summary: 'Upsert accounts',
        description:
          "Idempotent; each account's `domains` are replaced as a whole (missing means none). One bad row " +
          'rejects the whole batch with every reason, and nothing is written.',
        requestBody: jsonBody(putAccountsSchema),
        responses: {
          '200': jsonResponse('The number of accounts written.', ref('UpsertResult')),
          ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge'),
        },
      },
      get: {
        operationId: 'listAccounts',
        tags: ['Accounts and contacts'],
        summary: 'List accounts, ordered by id',
        parameters: queryParameters(listAccountsQuerySchema),
        responses: {
          '200': jsonResponse('A page of accounts.', ref('AccountPage')),
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/accounts/{id}': {
      parameters: [accountId],
      get: {
        operationId: 'getAccount',
        tags: ['Accounts and contacts'],
        summary: 'One account and how many contacts it has',
        responses: {
          '200': jsonResponse('The account.', ref('AccountDetails')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
      delete: {
        operationId: 'deleteAccount',
        tags: ['Accounts and contacts'],
        summary: 'Delete an account and its contacts',
        responses: {
          '204': { description: 'Deleted.' },
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/accounts/{id}/interactions': {
      parameters: [accountId],
      get: {
        operationId: 'listInteractions',
        tags: ['Interactions and meetings'],
        summary: "The account's interactions, newest first",
        description: 'Without `from` and `to`: all of them.',
        parameters: queryParameters(interactionsQuerySchema),
        responses: {
          '200': jsonResponse('A page of interactions.', ref('InteractionPage')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/accounts/{id}/engagement': {
      parameters: [accountId],
      get: {
        operationId: 'getAccountEngagement',
        tags: ['Interactions and meetings'],
        summary: 'How often we meet the account: last and next meeting, counts, weekly cadence, top members',
        parameters: queryParameters(accountEngagementQuerySchema),
        responses: {
          '200': jsonResponse("The account's engagement.", ref('AccountEngagement')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/engagement': {
      get: {
        operationId: 'listEngagement',
        tags: ['Interactions and meetings'],
        summary: "Every account's engagement, sorted and filtered",
        description:
          'The figures of `GET /api/accounts/{id}/engagement` for all accounts, with the number that match ' +
          "the filters; `topMembers` holds each account's top member only. A cursor continues the sort it was " +
          'made for only.',
        parameters: queryParameters(engagementListQuerySchema),
        responses: {
          '200': jsonResponse('A page of accounts with their engagement.', ref('EngagementPage')),
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/contacts': {
      put: {
        operationId: 'putContacts',
        tags: ['Accounts and contacts'],
        summary: 'Upsert contacts',
        description:
          'Idempotent; emails are stored lowercase and a later upload may move one to another account. ' +
          'Without `name` the stored name is kept; `"name": null` clears it. A contact of an unknown account ' +
          'rejects the whole batch.',
        requestBody: jsonBody(putContactsSchema),
        responses: {
          '200': jsonResponse('The number of contacts written.', ref('UpsertResult')),
          ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge'),
        },
      },
    },
    '/api/contacts/{email}': {
      parameters: [pathParameter('email', "The contact's email, compared case-insensitively.")],
      delete: {
        operationId: 'deleteContact',
        tags: ['Accounts and contacts'],
        summary: 'Delete a contact',
        responses: {
          '204': { description: 'Deleted.' },
          ...errors('Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/meetings': {
      get: {
        operationId: 'listUnmatchedMeetings',
        tags: ['Interactions and meetings'],
        summary: 'Meetings with an outside attendee that matched no account, newest first',
        description:
          'For fixing account data: `reason` says whether no account or several accounts had the domain.',
        parameters: queryParameters(meetingsQuerySchema),
        responses: {
          '200': jsonResponse('A page of unmatched meetings.', ref('UnmatchedMeetingPage')),
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/connections': {
      get: {
        operationId: 'listConnections',
        tags: ['Connections and channels'],
        summary: 'Every member who ever connected a calendar',
        responses: {
          '200': jsonResponse('The connections.', ref('ConnectionList')),
          ...errors('Unauthorized'),
        },
      },
    },
    '/api/members': {
      post: {
        operationId: 'enrolMembers',
        tags: ['Connections and channels'],
        summary: 'Connect members through the Workspace domain-wide delegation',
        description:
          'By emails, or every active user of a domain read from the Workspace directory. Each gets a token, its ' +
          'primary calendar checked, a channel and a first full sync, without a consent screen. Members already ' +
          'active are left as they are (and listed as enrolled); emails Google refuses are in `failed`.',
        requestBody: jsonBody(enrolMembersSchema),
        responses: {
          '200': jsonResponse('Who was enrolled and who Google refused.', ref('EnrolOutcome')),
          ...errors(
            'BadRequest',
            'Unauthorized',
            'NotFound',
            'DelegationNotConfigured',
            'PayloadTooLarge',
            'GoogleRefused',
            'GoogleUnavailable',
          ),
        },
      },
    },
    '/api/connections/{memberId}': {
      parameters: [memberId],
      delete: {
        operationId: 'disconnectMember',
        tags: ['Connections and channels'],
        summary: 'Disconnect a member, as their Disconnect button does',
        description:
          'Stops the channels, revokes the grant, deletes the tokens; meetings and interactions stay. The member ' +
          'is then `disconnected`.',
        responses: {
          '204': { description: 'Disconnected.' },
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/connections/{memberId}/resync': {
      parameters: [memberId],
      post: {
        operationId: 'resyncMember',
        tags: ['Connections and channels'],
        summary: "Queue a full resync of an active member's calendar",
        responses: {
          '202': jsonResponse('Queued; the answer does not wait for the sync.', ref('ResyncQueued')),
          '409': jsonResponse('The member is not active: there is nothing to sync with.', ref('NotActive')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/connections/{memberId}/reconnect': {
      parameters: [memberId],
      post: {
        operationId: 'reconnectMember',
        tags: ['Connections and channels'],
        summary: 'Reactivate a member whose stored grant still works',
        responses: {
          '200': jsonResponse('Google accepted the grant: new channel, full sync.', ref('Reconnected')),
          '409': jsonResponse('The member must consent again at `connectUrl`.', ref('NeedsReconnect')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound', 'GoogleRefused', 'GoogleUnavailable'),
        },
      },
    },
    '/api/channels/renew': {
      post: {
        operationId: 'renewChannels',
        tags: ['Connections and channels'],
        summary: 'Run the channel renewal job now',
        description:
          'Each due member is tried once. Answers within 30 s: members not reached by then are left to the next ' +
          'run. `failed` members keep the reason in `lastError` and are tried again by later runs, with growing pauses.',
        responses: {
          '200': jsonResponse(
            'How many channels were renewed, and how many renewals failed.',
            ref('RenewResult'),
          ),
          ...errors('Unauthorized'),
        },
      },
    },
    '/api/interactions': {
      get: {
        operationId: 'listAllInteractions',
        tags: ['Interactions out'],
        summary: 'Every current interaction of every account, paged',
        description:
          'The bootstrap of a copy: read every page, then follow `GET /api/changes` from `changesCursor` (the same ' +
          'on every page of one read). Changes made during the read may show up twice; none is missed.',
        parameters: queryParameters(allInteractionsQuerySchema),
        responses: {
          '200': jsonResponse('A page of interactions.', ref('AllInteractionsPage')),
          ...errors('BadRequest', 'Unauthorized'),
        },
      },
    },
    '/api/changes': {
      get: {
        operationId: 'listChanges',
        tags: ['Interactions out'],
        summary: 'The change feed, in commit order',
        description:
          'Without `cursor`: from the oldest retained change. A change is never skipped, even one whose ' +
          'transaction committed after a later-numbered one.',
        parameters: queryParameters(changesQuerySchema),
        responses: {
          '200': jsonResponse('Changes after the cursor; none means caught up.', ref('ChangePage')),
          ...errors('BadRequest', 'Unauthorized', 'Gone'),
        },
      },
    },
    '/api/webhook-endpoints': {
      post: {
        operationId: 'createWebhookEndpoint',
        tags: ['Interactions out'],
        summary: 'Register an endpoint that receives every change from now on',
        description:
          '`url` is an absolute http(s) URL, https only when `NODE_ENV=production`. The signing `secret` is in ' +
          'this answer only.',
        requestBody: jsonBody(webhookEndpointSchema),
        responses: {
          '201': jsonResponse('Registered.', ref('CreatedWebhookEndpoint')),
          ...errors('BadRequest', 'Unauthorized', 'PayloadTooLarge'),
        },
      },
      get: {
        operationId: 'listWebhookEndpoints',
        tags: ['Interactions out'],
        summary: 'The endpoints and their health (no secrets)',
        responses: {
          '200': jsonResponse('The endpoints, oldest first.', ref('WebhookEndpointList')),
          ...errors('Unauthorized'),
        },
      },
    },
    '/api/webhook-endpoints/{id}': {
      parameters: [endpointId],
      delete: {
        operationId: 'deleteWebhookEndpoint',
        tags: ['Interactions out'],
        summary: 'Stop delivering to an endpoint and forget it',
        responses: {
          '204': { description: 'Deleted.' },
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
    '/api/webhook-endpoints/{id}/deliveries': {
      parameters: [endpointId],
      get: {
        operationId: 'listWebhookDeliveries',
        tags: ['Interactions out'],
        summary: 'The recent delivery attempts to an endpoint, newest first',
        responses: {
          '200': jsonResponse('The attempts.', ref('DeliveryAttemptList')),
          ...errors('BadRequest', 'Unauthorized', 'NotFound'),
        },
      },
    },
  };
}

/**
 * What a client sends, so the input side (before transforms and defaults). The dialect is the one OpenAPI 3.1
 * schemas use by default, so zod's `$schema` would only repeat it.
 */
function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return rest;
}

function jsonBody(schema: z.ZodType): Json {
  return { required: true, content: { 'application/json': { schema: fromZod(schema) } } };
}

function queryParameters(schema: z.ZodObject): Json[] {
  const { properties = {}, required = [] } = fromZod(schema);
  return Object.entries(properties).map(([name, property]) => {
    const description = QUERY_PARAMETER_DESCRIPTIONS[name];
    return {
      name,
      in: 'query',
      required: required.includes(name),
      ...(description === undefined ? {} : { description }),
      schema: property,
    };
  });
}

function pathParameter(name: string, description: string, schema: JsonSchema = { type: 'string' }): Json {
  return { name, in: 'path', required: true, description, schema };
}

function jsonResponse(description: string, schema: JsonSchema): Json {
  return { description, content: { 'application/json': { schema } } };
}

function ref(name: SchemaName): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function errors(...names: ErrorResponseName[]): Json {
  const statuses: Record<ErrorResponseName, string> = {
    BadRequest: '400',
    Unauthorized: '401',
    NotFound: '404',
    DelegationNotConfigured: '409',
    Gone: '410',
    PayloadTooLarge: '413',
    GoogleRefused: '502',
    GoogleUnavailable: '503',
  };
  return Object.fromEntries(
    names.map((name) => [statuses[name], { $ref: `#/components/responses/${name}` }]),
  );
}

function errorResponses(): Record<ErrorResponseName, Json> {
  return {
    BadRequest: jsonResponse(
      'Malformed JSON (`invalid_body`) or invalid input (`validation_failed`, with every reason in `issues`).',
      ref('ErrorBody'),
    ),
    Unauthorized: {
      ...jsonResponse(
        'No valid `Authorization: Bearer <ADMIN_API_KEY>` header (`unauthorized`).',
        ref('ErrorBody'),
      ),
      headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'A `Bearer` challenge.' } },
    },
    NotFound: jsonResponse('Nothing by that key (`not_found`).', ref('ErrorBody')),
    DelegationNotConfigured: jsonResponse(
      'Domain-wide delegation is not configured (`delegation_not_configured`): GOOGLE_SERVICE_ACCOUNT_KEY is not ' +
        'set, or, for a domain, GOOGLE_WORKSPACE_ADMIN.',
      ref('ErrorBody'),
    ),
    Gone: jsonResponse(
      'The cursor is older than the changes still kept (`cursor_expired`, after `CHANGES_RETENTION_DAYS`): ' +
        'read `GET /api/interactions` again and go on from its `changesCursor`.',
      ref('ErrorBody'),
    ),
    PayloadTooLarge: jsonResponse('The body is over 10 MB (`payload_too_large`).', ref('ErrorBody')),
    GoogleRefused: jsonResponse(
      'Google refused a request of ours that retrying will not change (`google_request_failed`); nothing changed.',
      ref('ErrorBody'),
    ),
    GoogleUnavailable: {
      ...jsonResponse(
        'Google could not be reached or asked us to slow down (`google_unavailable`, `rate_limited`); nothing ' +
          'changed: try again after `Retry-After` seconds.',
        ref('ErrorBody'),
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  };
}

const nullable = (schema: JsonSchema & { type: z.core.JSONSchema.SchemaType }): JsonSchema => ({
  ...schema,
  type: [schema.type, 'null'],
});

const object = (properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
});

const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** Written by hand after CONTRACT.md; the spec checks them against what the router answers. */
function componentSchemas(): Record<SchemaName, JsonSchema> {
  const matchedBy: JsonSchema = { type: 'string', enum: ['contact', 'domain'] };
  const privateFlag: JsonSchema = {
    type: 'boolean',
    description: 'A private or confidential event: recorded without its title.',
  };
  const nextCursor = {
    ...nullable({ type: 'string' }),
    description: 'Pass it as `cursor` for the next page; `null` on the last page.',
  };
  const meetingMention: JsonSchema = {
    anyOf: [
      object({
        startTime: { type: 'string', format: 'date-time' },
        title: { type: 'string', description: '`""` when the meeting is private.' },
        private: privateFlag,
      }),
      { type: 'null' },
    ],
  };
  return {
    ErrorBody: object(
      {
        error: {
          type: 'string',
          description:
            'A stable code: `validation_failed`, `invalid_body`, `unauthorized`, `not_found`, ' +
            '`delegation_not_configured`, `cursor_expired`, `payload_too_large`, `internal`.',
        },
        message: { type: 'string' },
        issues: arrayOf(
          object({
            path: {
              ...arrayOf({ type: ['string', 'integer'] }),
              description: 'Where the problem is, e.g. `[3, "domains", 0]`.',
            },
            message: { type: 'string' },
          }),
        ),
      },
      ['issues'],
    ),
    UpsertResult: object({ upserted: { type: 'integer', minimum: 0 } }),
    Account: object({
      id: { type: 'string' },
      name: { type: 'string' },
      domains: {
        ...arrayOf({ type: 'string' }),
        description: 'Normalised: lowercase, without `@` or a final dot.',
      },
    }),
    AccountDetails: object({
      id: { type: 'string' },
      name: { type: 'string' },
      domains: arrayOf({ type: 'string' }),
      contactCount: { type: 'integer', minimum: 0 },
    }),
    AccountPage: object({ accounts: arrayOf(ref('Account')), nextCursor }),
    Participant: object({
      name: {
        ...nullable({ type: 'string' }),
        description: "The attendee's display name, else the matched contact's name.",
      },
      email: { type: 'string' },
      minutesInMeeting: { type: 'integer', minimum: 0 },
      responseStatus: {
        ...nullable({ type: 'string' }),
        description: 'As Google gives it: `needsAction`, `declined`, `tentative`, `accepted`.',
      },
      accountId: nullable({ type: 'string' }),
      matchedBy: { type: ['string', 'null'], enum: ['contact', 'domain', null] },
    }),
    Interaction: object({
      id: { type: 'string' },
      accountId: { type: 'string' },
      type: { type: 'string', const: 'Google calendar' },
      title: { type: 'string', description: '`""` for a private meeting.' },
      private: privateFlag,
      date: {
        type: 'string',
        format: 'date',
        description: "The start's local date in the event's time zone (else the calendar's).",
      },
      startTime: { type: 'string', format: 'date-time' },
      durationMinutes: { type: 'integer', minimum: 0 },
      matchedBy: { ...matchedBy, description: "The strongest among the account's participants." },
      participants: arrayOf(ref('Participant')),
    }),
    InteractionPage: object({ interactions: arrayOf(ref('Interaction')), nextCursor }),
    AccountEngagement: {
      ...object({
        accountId: { type: 'string' },
        name: { type: 'string' },
        domains: arrayOf({ type: 'string' }),
        lastMeetingAt: {
          ...nullable({ type: 'string', format: 'date-time' }),
          description: 'Start of the latest meeting that has started; `null`: never met.',
        },
        nextMeetingAt: {
          ...nullable({ type: 'string', format: 'date-time' }),
          description: 'Start of the earliest meeting still to come; `null`: none scheduled.',
        },
        lastMeeting: meetingMention,
        nextMeeting: meetingMention,
        meetings30d: {
          type: 'integer',
          minimum: 0,
          description: 'Meetings that started in the last 30 days (now included).',
        },
        meetings90d: { type: 'integer', minimum: 0, description: 'The same over 90 days.' },
        weekly: {
          ...arrayOf(
            object({
              weekStart: { type: 'string', format: 'date', description: 'The Monday (UTC) the week starts.' },
              meetings: { type: 'integer', minimum: 0 },
            }),
          ),
          description: 'Oldest week first; every week of the range, with 0 where there was no meeting.',
        },
        topMembers: {
          ...arrayOf(object({ email: { type: 'string' }, meetings: { type: 'integer', minimum: 1 } })),
          description:
            'Up to 5 members by the past meetings with the account their calendars hold (a member who declined ' +
            'holds none), most first, then by email.',
        },
      }),
      description:
        'A meeting counts once per account however many members attended it, and only where it is recorded as ' +
        "the account's interaction (declined, cancelled, all-day and non-meeting events never are).",
    },
    EngagementPage: object({
      accounts: arrayOf(ref('AccountEngagement')),
      total: { type: 'integer', minimum: 0, description: 'Accounts matching the filters.' },
      nextCursor,
    }),
    UnmatchedMeeting: object({
      id: { type: 'string' },
      title: { type: 'string', description: '`""` for a private meeting.' },
      private: privateFlag,
      startTime: { type: 'string', format: 'date-time' },
      durationMinutes: { type: 'integer', minimum: 0 },
      reason: { type: 'string', enum: ['no_match', 'ambiguous_domain'] },
      candidateAccountIds: {
        ...arrayOf({ type: 'string' }),
        description: 'For `ambiguous_domain`: every account involved.',
      },
      unmatchedEmails: {
        ...arrayOf({ type: 'string' }),
        description:
          'The outside attendees (not of an internal domain, not a member, not a room) who matched no account.',
      },
      matchedAccountIds: {
        ...arrayOf({ type: 'string' }),
        description:
          "The accounts the meeting is recorded on all the same, from its other attendees' matches.",
      },
      participants: arrayOf(ref('Participant')),
    }),
    UnmatchedMeetingPage: object({ meetings: arrayOf(ref('UnmatchedMeeting')), nextCursor }),
    Connection: object({
      memberId: { type: 'string', format: 'uuid' },
      email: { type: 'string' },
      status: { type: 'string', enum: ['active', 'needs_reconnect', 'disconnected'] },
      via: {
        type: 'string',
        enum: ['oauth', 'delegation'],
        description: "The member's own sign-in, or the Workspace's domain-wide delegation.",
      },
      channelExpiresAt: {
        ...nullable({ type: 'string', format: 'date-time' }),
        description: "The expiry of the member's current channel (not one replaced by a renewal).",
      },
      lastSyncAt: nullable({ type: 'string', format: 'date-time' }),
      lastError: { ...nullable({ type: 'string' }), description: 'A short human-readable string.' },
    }),
    ConnectionList: object({ connections: arrayOf(ref('Connection')) }),
    ResyncQueued: object({
      status: { type: 'string', const: 'active' },
      fullSync: { type: 'string', const: 'queued' },
    }),
    NotActive: object({
      status: { type: 'string', enum: ['needs_reconnect', 'disconnected'] },
      connectUrl: { type: 'string', format: 'uri', description: 'Where the member signs in again.' },
    }),
    Reconnected: object({ status: { type: 'string', const: 'active' } }),
    NeedsReconnect: object({
      status: { type: 'string', const: 'needs_reconnect' },
      connectUrl: { type: 'string', format: 'uri', description: 'Where the member signs in again.' },
    }),
    RenewResult: object({
      renewed: { type: 'integer', minimum: 0 },
      failed: { type: 'integer', minimum: 0 },
    }),
    AllInteractionsPage: object({
      interactions: arrayOf(ref('Interaction')),
      nextCursor,
      changesCursor: {
        type: 'string',
        description:
          'Where to follow `GET /api/changes` from once every page is read; the same on each page.',
      },
    }),
    Change: object({
      id: {
        type: 'string',
        format: 'uuid',
        description: 'Unique and stable; the `webhook-id` of its deliveries.',
      },
      type: { type: 'string', enum: ['interaction.created', 'interaction.updated', 'interaction.deleted'] },
      occurredAt: { type: 'string', format: 'date-time' },
      data: {
        anyOf: [ref('Interaction'), object({ id: { type: 'string' }, accountId: { type: 'string' } })],
        description: 'The whole interaction after the change; `{id, accountId}` for a deletion.',
      },
    }),
    ChangePage: object({
      changes: arrayOf(ref('Change')),
      nextCursor: {
        type: 'string',
        description: 'Never null: where to go on from. An empty `changes` means caught up.',
      },
    }),
    WebhookEndpoint: object({
      id: { type: 'string', format: 'uuid' },
      url: { type: 'string', format: 'uri' },
      description: nullable({ type: 'string' }),
      createdAt: { type: 'string', format: 'date-time' },
      status: {
        type: 'string',
        enum: ['active', 'disabled'],
        description: '`disabled` after 3 days of failed deliveries; nothing more is sent to it.',
      },
      disabledAt: nullable({ type: 'string', format: 'date-time' }),
      lastDeliveredAt: nullable({ type: 'string', format: 'date-time' }),
      failingSince: {
        ...nullable({ type: 'string', format: 'date-time' }),
        description: 'Since when deliveries have failed without one succeeding.',
      },
      lastError: nullable({ type: 'string' }),
      pendingChanges: { type: 'integer', minimum: 0, description: 'Changes not yet delivered.' },
    }),
    CreatedWebhookEndpoint: object({
      id: { type: 'string', format: 'uuid' },
      url: { type: 'string', format: 'uri' },
      description: nullable({ type: 'string' }),
      secret: {
        type: 'string',
        description:
          '`whsec_` + base64 of 32 random bytes: the Standard Webhooks signing key. Shown only here.',
      },
      createdAt: { type: 'string', format: 'date-time' },
    }),
    WebhookEndpointList: object({ endpoints: arrayOf(ref('WebhookEndpoint')) }),
    DeliveryAttempt: object({
      changeId: { type: 'string', format: 'uuid' },
      type: { type: 'string', enum: ['interaction.created', 'interaction.updated', 'interaction.deleted'] },
      attempt: { type: 'integer', minimum: 1 },
      attemptedAt: { type: 'string', format: 'date-time' },
      status: { type: 'string', enum: ['delivered', 'failed', 'pending'] },
      responseStatus: nullable({ type: 'integer' }),
      error: nullable({ type: 'string' }),
    }),
    DeliveryAttemptList: object({ deliveries: arrayOf(ref('DeliveryAttempt')) }),
    EnrolOutcome: object({
      enrolled: arrayOf(object({ memberId: { type: 'string', format: 'uuid' }, email: { type: 'string' } })),
      failed: arrayOf(
        object({
          email: { type: 'string' },
          reason: { type: 'string', description: "Google's refusal, in a sentence." },
        }),
      ),
    }),
  };
}
