import express, { type Router } from 'express';
import request from 'supertest';
import { z } from 'zod';

import { adminApiRouter, type AdminApiDependencies } from '../../src/adapters/http/admin-api.router';
import * as adminApiSchemas from '../../src/adapters/http/admin-api.schemas';
import { encodeFeedCursor } from '../../src/adapters/http/cursor';
import { errorHandler, notFoundHandler } from '../../src/adapters/http/errors';
import { openApiDocument } from '../../src/adapters/http/openapi';
import type {
  InteractionView,
  UnmatchedMeetingView,
} from '../../src/application/ports/meeting-repository.port';
import {
  DelegationNotConfiguredError,
  FeedPositionExpiredError,
  GoogleRequestError,
  GoogleUnavailableError,
} from '../../src/application/errors';
import type { InteractionChange } from '../../src/application/ports/change-feed.port';
import type { AccountEngagement } from '../../src/application/ports/engagement-read-model.port';
import type { WebhookEndpointView } from '../../src/application/ports/webhook-endpoint-repository.port';
import type { ManageWebhookEndpoints } from '../../src/application/use-cases/manage-webhook-endpoints.use-case';
import { NotFoundError } from '../../src/domain/errors';
import { RecordingLogger } from '../support/logger';

type JsonSchema = z.core.JSONSchema.JSONSchema;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
}
interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: JsonSchema }>;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, Response>;
}
type PathItem = { parameters?: Parameter[] } & Partial<Record<Method, Operation>>;
interface Document {
  openapi: string;
  info: { title: string; version: string };
  security: Record<string, string[]>[];
  paths: Record<string, PathItem>;
  components: { securitySchemes: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Method = (typeof METHODS)[number];

const doc = openApiDocument('http://localhost:3000') as unknown as Document;

/** `"put /api/accounts"`: how an operation is named in this file. */
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [{ key: `${method} ${path}`, path, item, operation }];
    }),
  );

function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`${pointer} points outside the document`);
  return pointer
    .slice(2)
    .split('/')
    .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      doc,
    );
}

function refsIn(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  );
}

const responseOf = (operation: Operation, status: string): Response | undefined => {
  const response = operation.responses?.[status];
  return response?.$ref === undefined ? response : (resolve(response.$ref) as Response);
};

const KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'items',
  'anyOf',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'format',
]);
const ANNOTATIONS = new Set(['description', 'default', 'examples', 'title']);
const FORMATS: Record<string, (value: string) => boolean> = {
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)),
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  uri: (value) => URL.canParse(value),
};

const typesOf = (value: unknown): string[] => {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
};

/**
 * No validator is installed, so this checks the JSON Schema subset the document uses, and throws on any other
 * keyword rather than passing it unchecked. Objects are read as closed: a field the document does not name is
 * reported too, which is how a field added to an answer (or renamed) shows up here.
 */
function problems(schema: z.core.JSONSchema._JSONSchema, value: unknown, at = '$'): string[] {
  if (typeof schema === 'boolean') return schema ? [] : [`${at}: no value is allowed`];
  const unknown = Object.keys(schema).filter((key) => !KEYWORDS.has(key) && !ANNOTATIONS.has(key));
  if (unknown.length > 0) throw new Error(`${at}: the checker does not know ${unknown.join(', ')}`);
  const found: string[] = [];
  if (schema.$ref !== undefined) found.push(...problems(resolve(schema.$ref) as JsonSchema, value, at));
  if (schema.type !== undefined) {
    const allowed = [schema.type].flat();
    if (!typesOf(value).some((type) => (allowed as string[]).includes(type))) {
      return [...found, `${at}: ${JSON.stringify(value)} is not ${allowed.join(' or ')}`];
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as never)) {
    found.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && value !== schema.const) {
    found.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  }
  if (schema.anyOf !== undefined && schema.anyOf.every((branch) => problems(branch, value, at).length > 0)) {
    found.push(`${at}: ${JSON.stringify(value)} matches none of anyOf`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      found.push(`${at}: shorter than allowed`);
    if (schema.maxLength !== undefined && length > schema.maxLength) found.push(`${at}: longer than allowed`);
    if (schema.format !== undefined) {
      const check = FORMATS[schema.format];
      if (check === undefined) throw new Error(`${at}: the checker does not know format ${schema.format}`);
      if (!check(value)) found.push(`${at}: ${JSON.stringify(value)} is not a ${schema.format}`);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) found.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) found.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) found.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) found.push(`${at}: too many items`);
    const { items } = schema;
    if (Array.isArray(items)) throw new Error(`${at}: the checker does not know tuple items`);
    if (items !== undefined) value.forEach((item, i) => found.push(...problems(items, item, `${at}[${i}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in fields)) found.push(`${at}.${name}: missing`);
    }
    if (schema.properties !== undefined) {
      for (const [name, field] of Object.entries(fields)) {
        const property = schema.properties[name];
        if (property === undefined) found.push(`${at}.${name}: not in the document`);
        else found.push(...problems(property, field, `${at}.${name}`));
      }
    }
  }
  return found;
}

/** What a client sends, as zod describes it; `$schema` only names the dialect OpenAPI 3.1 already implies. */
function zodInput(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return rest;
}

type SchemaExport = {
  [K in keyof typeof adminApiSchemas]: (typeof adminApiSchemas)[K] extends z.ZodType ? K : never;
}[keyof typeof adminApiSchemas];

/** What each operation reads, by the name of the zod schema the router parses it with. */
const BODIES: Record<string, SchemaExport> = {
  'put /api/accounts': 'putAccountsSchema',
  'put /api/contacts': 'putContactsSchema',
  'post /api/webhook-endpoints': 'webhookEndpointSchema',
  'post /api/members': 'enrolMembersSchema',
};
const QUERIES: Record<string, SchemaExport> = {
  'get /api/accounts': 'listAccountsQuerySchema',
  'get /api/interactions': 'allInteractionsQuerySchema',
  'get /api/changes': 'changesQuerySchema',
  'get /api/accounts/{id}/interactions': 'interactionsQuerySchema',
  'get /api/meetings': 'meetingsQuerySchema',
  'get /api/accounts/{id}/engagement': 'accountEngagementQuerySchema',
  'get /api/engagement': 'engagementListQuerySchema',
};

const ENGAGEMENT: AccountEngagement = {
  accountId: 'logo',
  name: 'Logo Inc',
  domains: ['logo.com'],
  lastMeeting: { at: new Date('2026-11-20T15:00:00Z'), title: 'QBR', private: false },
  nextMeeting: { at: new Date('2026-12-02T10:00:00Z'), title: '', private: true },
  meetings30d: 3,
  meetings90d: 7,
  weekly: [
    { weekStart: '2026-11-16', meetings: 2 },
    { weekStart: '2026-11-23', meetings: 0 },
  ],
  topMembers: [{ email: 'alex@ourco.example', meetings: 5 }],
};
const NEVER_MET: AccountEngagement = {
  ...ENGAGEMENT,
  accountId: 'globex',
  name: 'Globex',
  lastMeeting: null,
  nextMeeting: null,
  meetings30d: 0,
  meetings90d: 0,
  topMembers: [],
};

// CONTRACT.md "Interaction", verbatim but for `private`, which "Google's own signals" (2026-11-29) adds.
const CONTRACT_INTERACTION: InteractionView = {
  id: '…',
  accountId: 'logo',
  type: 'Google calendar',
  title: 'QBR',
  private: false,
  date: '2026-11-20',
  startTime: '2026-11-20T15:00:00.000Z',
  durationMinutes: 30,
  matchedBy: 'contact',
  participants: [
    {
      name: 'Tess Ter',
      email: 'tester@logo.com',
      minutesInMeeting: 30,
      responseStatus: 'accepted',
      accountId: 'logo',
      matchedBy: 'contact',
    },
    {
      name: 'Cara Sm',
      email: 'cara@ourco.com',
      minutesInMeeting: 30,
      responseStatus: 'accepted',
      accountId: null,
      matchedBy: null,
    },
  ],
};
// The README's `curl` examples of the two uploads.
const PUT_ACCOUNTS_EXAMPLE = [{ id: 'logo', name: 'Logo Inc', domains: ['logo.com'] }];
const PUT_CONTACTS_EXAMPLE = [{ email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' }];

const UNMATCHED_MEETING: UnmatchedMeetingView = {
  id: '6c1f2b4e-9d0a-4c3b-8e7f-1a2b3c4d5e6f',
  title: 'Holdings intro',
  private: false,
  startTime: '2026-11-21T10:00:00.000Z',
  durationMinutes: 45,
  reason: 'ambiguous_domain',
  candidateAccountIds: ['globex', 'initech'],
  unmatchedEmails: ['pat@holdings.com'],
  matchedAccountIds: ['logo'],
  participants: [
    {
      name: null,
      email: 'pat@holdings.com',
      minutesInMeeting: 45,
      responseStatus: 'needsAction',
      accountId: null,
      matchedBy: null,
    },
  ],
};

const CHANGE: InteractionChange = {
  id: '5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
  type: 'interaction.created',
  occurredAt: new Date('2026-11-20T15:01:00Z'),
  data: CONTRACT_INTERACTION,
  position: { xid: 812n, seq: 3n },
};
const DELETION: InteractionChange = {
  id: '6b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
  type: 'interaction.deleted',
  occurredAt: new Date('2026-11-20T16:00:00Z'),
  data: { id: CONTRACT_INTERACTION.id, accountId: 'logo' },
  position: { xid: 815n, seq: 4n },
};
const ENDPOINT = '7c2d3e4f-5a6b-4c7d-8e8f-9a0b1c2d3e4f';
const UNKNOWN_ENDPOINT = '8d3e4f5a-6b7c-4d8e-9f9a-0b1c2d3e4f5a';
const ENDPOINT_VIEW: WebhookEndpointView = {
  id: ENDPOINT,
  url: 'https://crm.example/hooks/calendar',
  description: 'CRM',
  createdAt: new Date('2026-11-20T09:00:00Z'),
  status: 'active',
  disabledAt: null,
  lastDeliveredAt: new Date('2026-11-20T15:01:01Z'),
  failingSince: null,
  lastError: null,
  pending: 0,
};

const ADMIN_KEY = 'openapi-spec-key';
const ACTIVE = '0b6f1f9e-5a4c-4d2b-9a37-2f1c3e4d5a6b';
const NEEDS_RECONNECT = '1c7a2e0f-6b5d-4e3c-8b48-3a2d4f5e6b7c';
const UNKNOWN_MEMBER = '2d8b3f1a-7c6e-4f4d-9c59-4b3e5a6f7c8d';
/** Members whose reconnect finds Google unreachable, or refusing. */
const GOOGLE_DOWN = '3e9c4a2b-8d7f-4a5e-8d6a-5c4f6b7a8d9e';
const GOOGLE_REFUSES = '4fad5b3c-9e8a-4b6f-9e7b-6d5a7c8b9eaf';
const CONNECT_URL = 'http://localhost:3000/auth/google';
const SAMPLE_PATH_VALUES: Record<string, string> = {
  id: 'logo',
  email: 'tess%40logo.com',
  memberId: ACTIVE,
};
// Paths whose `{id}` is a webhook endpoint's, not an account's.
const samplePath = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_match, name: string) =>
    path.startsWith('/api/webhook-endpoints/') ? ENDPOINT : SAMPLE_PATH_VALUES[name]!,
  );

/** A use case reduced to its `execute`, type-checked against the real one. */
const fake = <T extends { execute: unknown }>(execute: T['execute']): T => ({ execute }) as unknown as T;
const notFound = (what: string) => Promise.reject(new NotFoundError(`No ${what}`));

function fakeDependencies(): AdminApiDependencies {
  return {
    adminApiKey: ADMIN_KEY,
    connectUrl: CONNECT_URL,
    upsertAccounts: fake((accounts) => Promise.resolve({ upserted: accounts.length })),
    upsertContacts: fake((contacts) => Promise.resolve({ upserted: contacts.length })),
    deleteAccount: fake((id) => (id === 'logo' ? Promise.resolve() : notFound('account'))),
    deleteContact: fake((email) => (email === 'Tess@Logo.com' ? Promise.resolve() : notFound('contact'))),
    getAccount: fake((id) =>
      id === 'logo'
        ? Promise.resolve({ id, name: 'Logo Inc', domains: ['logo.com'], contactCount: 1 })
        : notFound('account'),
    ),
    listAccounts: fake(() =>
      Promise.resolve({
        accounts: [{ id: 'logo', name: 'Logo Inc', domains: ['logo.com'] }],
        nextAfterId: 'logo',
      }),
    ),
    listInteractions: fake(({ accountId }) =>
      accountId === 'logo'
        ? Promise.resolve({
            items: [CONTRACT_INTERACTION],
            next: { startTime: CONTRACT_INTERACTION.startTime, id: UNMATCHED_MEETING.id },
          })
        : notFound('account'),
    ),
    getAccountEngagement: fake(({ accountId }) =>
      accountId === 'logo' ? Promise.resolve(ENGAGEMENT) : notFound('account'),
    ),
    listEngagement: fake(() =>
      Promise.resolve({ items: [ENGAGEMENT, NEVER_MET], total: 3, next: { value: 'globex', id: 'globex' } }),
    ),
    listUnmatchedMeetings: fake(() =>
      Promise.resolve({ items: [UNMATCHED_MEETING], next: null, accountNames: new Map() }),
    ),
    renewChannels: fake(() => Promise.resolve({ renewed: 2, failed: 1, stopped: 1 })),
    listConnections: fake(() =>
      Promise.resolve([
        {
          memberId: ACTIVE,
          email: 'alex@ourco.example',
          status: 'active' as const,
          via: 'oauth' as const,
          channelExpiresAt: new Date('2026-11-27T00:00:00Z'),
          lastSyncAt: new Date('2026-11-20T15:01:00Z'),
          lastError: null,
        },
        {
          memberId: NEEDS_RECONNECT,
          email: 'sam@ourco.example',
          status: 'needs_reconnect' as const,
          via: 'delegation' as const,
          channelExpiresAt: null,
          lastSyncAt: null,
          lastError: 'Google refused the stored grant',
        },
      ]),
    ),
    requestResync: fake((memberId) =>
      memberId === ACTIVE
        ? Promise.resolve({ queued: true, status: 'active' as const })
        : memberId === NEEDS_RECONNECT
          ? Promise.resolve({ queued: false, status: 'needs_reconnect' as const })
          : notFound('member'),
    ),
    reconnectMember: fake((memberId) => {
      if (memberId === ACTIVE) return Promise.resolve({ status: 'active' as const });
      if (memberId === NEEDS_RECONNECT) return Promise.resolve({ status: 'needs_reconnect' as const });
      if (memberId === GOOGLE_DOWN) return Promise.reject(new GoogleUnavailableError('Google failed'));
      if (memberId === GOOGLE_REFUSES) return Promise.reject(new GoogleRequestError('Google refused'));
      return notFound('member');
    }),
    disconnectMember: fake((memberId) => (memberId === ACTIVE ? Promise.resolve(true) : notFound('member'))),
    enrolMembers: fake((request) => {
      if ('emails' in request) {
        return request.emails.includes('nobody@ourco.example')
          ? Promise.reject(new DelegationNotConfiguredError('Not configured'))
          : Promise.resolve({
              enrolled: [{ memberId: ACTIVE, email: 'alex@ourco.example' }],
              failed: [{ email: 'gone@ourco.example', reason: 'Google refused domain-wide delegation' }],
            });
      }
      if (request.domain === 'down.example') return Promise.reject(new GoogleUnavailableError('down'));
      if (request.domain === 'refused.example') return Promise.reject(new GoogleRequestError('refused'));
      if (request.domain === 'ourco.example') return Promise.resolve({ enrolled: [], failed: [] });
      return notFound('domain');
    }),
    listChanges: fake(({ after }) =>
      after !== null && after.xid < 100n
        ? Promise.reject(new FeedPositionExpiredError('Pruned'))
        : Promise.resolve({ changes: [CHANGE, DELETION], next: DELETION.position }),
    ),
    listAllInteractions: fake(() =>
      Promise.resolve({ items: [CONTRACT_INTERACTION], next: null, changesFrom: { xid: 800n, seq: -1n } }),
    ),
    webhookEndpoints: {
      create: ({ url, description }) =>
        Promise.resolve({ ...ENDPOINT_VIEW, url, description, secret: `whsec_${'A'.repeat(43)}=` }),
      list: () =>
        Promise.resolve([
          ENDPOINT_VIEW,
          {
            ...ENDPOINT_VIEW,
            id: UNKNOWN_ENDPOINT,
            description: null,
            status: 'disabled' as const,
            disabledAt: new Date('2026-11-23T09:00:00Z'),
            failingSince: new Date('2026-11-20T09:00:00Z'),
            lastError: 'HTTP 500',
            pending: 12,
          },
        ]),
      delete: (id: string) => (id === ENDPOINT ? Promise.resolve() : notFound('webhook endpoint')),
      deliveries: (id: string) =>
        id === ENDPOINT
          ? Promise.resolve([
              {
                changeId: CHANGE.id,
                type: CHANGE.type,
                attempt: 2,
                attemptedAt: new Date('2026-11-20T15:01:01Z'),
                status: 'delivered' as const,
                responseStatus: 204,
                error: null,
              },
              {
                changeId: CHANGE.id,
                type: CHANGE.type,
                attempt: 1,
                attemptedAt: new Date('2026-11-20T15:01:00Z'),
                status: 'failed' as const,
                responseStatus: null,
                error: 'No answer within 10 s',
              },
            ])
          : notFound('webhook endpoint'),
    } as Pick<ManageWebhookEndpoints, 'create' | 'list' | 'delete' | 'deliveries'> as ManageWebhookEndpoints,
    httpsOnly: false,
  };
}

/** The express route table, named like the document: `:id` is `{id}`, and app.ts mounts the router at `/api`. */
function routedOperations(router: Router): string[] {
  return router.stack.flatMap((layer) => {
    if (layer.route === undefined) return [];
    const path = `/api${layer.route.path.replace(/:(\w+)/g, '{$1}')}`;
    // A `router.all` handler has no method (express' typings say otherwise).
    return layer.route.stack.map((handler) => `${handler.method ?? 'all'} ${path}`);
  });
}

describe('OpenAPI document of the admin API', () => {
  describe('shape', () => {
    it('is an OpenAPI 3.1 document', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toEqual({
        title: expect.any(String),
        version: expect.any(String),
        description: expect.any(String),
      });
      expect(typeof doc.paths).toBe('object');
      expect(typeof doc.components).toBe('object');
      expect(Object.keys(doc.paths).every((path) => path.startsWith('/'))).toBe(true);
    });

    it('gives every operation a unique id and documented responses', () => {
      const ops = operations();
      expect(ops.length).toBeGreaterThan(0);
      for (const { key, operation } of ops) {
        const statuses = Object.keys(operation.responses ?? {});
        expect({ key, hasResponses: statuses.length > 0 }).toEqual({ key, hasResponses: true });
        for (const status of statuses) {
          expect({ key, status, valid: /^[1-5]\d\d$/.test(status) }).toEqual({ key, status, valid: true });
          expect({ key, status, description: typeof responseOf(operation, status)?.description }).toEqual({
            key,
            status,
            description: 'string',
          });
        }
      }
      const ids = ops.map(({ operation }) => operation.operationId);
      expect(new Set(ids).size).toBe(ops.length);
      expect(ids.every((id) => typeof id === 'string')).toBe(true);
    });

    it('declares each path template variable as a required path parameter, and no other', () => {
      for (const { key, path, item, operation } of operations()) {
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter(
          (parameter) => parameter.in === 'path',
        );
        expect({ key, declared: declared.map((p) => p.name).sort() }).toEqual({ key, declared: inPath });
        expect(declared.every((parameter) => parameter.required === true)).toBe(true);
      }
    });

    it('resolves every $ref inside the document', () => {
      const refs = refsIn(doc);
      expect(refs.length).toBeGreaterThan(0);
      expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
    });

    it('guards everything with the bearer scheme it defines', () => {
      expect(doc.security).toEqual([{ adminApiKey: [] }]);
      expect(doc.components.securitySchemes).toEqual({
        adminApiKey: { type: 'http', scheme: 'bearer', description: expect.any(String) },
      });
      for (const { key, operation } of operations()) {
        expect({ key, has401: responseOf(operation, '401') !== undefined }).toEqual({ key, has401: true });
      }
    });
  });

  describe('drift', () => {
    it('documents exactly the routes the admin router registers', () => {
      const routed = routedOperations(adminApiRouter(fakeDependencies()));
      expect(routed.length).toBeGreaterThan(0);
      expect(
        operations()
          .map(({ key }) => key)
          .sort(),
      ).toEqual([...routed].sort());
    });

    it.each(operations().map(({ key, operation }) => [key, operation] as const))(
      '%s: request body and query parameters are the zod schemas',
      (key, operation) => {
        const body = BODIES[key];
        expect(operation.requestBody?.required).toBe(body === undefined ? undefined : true);
        expect(operation.requestBody?.content?.['application/json']?.schema).toEqual(
          body === undefined ? undefined : zodInput(adminApiSchemas[body]),
        );
        const query = QUERIES[key] === undefined ? {} : zodInput(adminApiSchemas[QUERIES[key]]);
        expect(
          (operation.parameters ?? [])
            .filter((parameter) => parameter.in === 'query')
            .map(({ name, required, schema }) => ({ name, required, schema })),
        ).toEqual(
          Object.entries(query.properties ?? {}).map(([name, schema]) => ({
            name,
            required: (query.required ?? []).includes(name),
            schema,
          })),
        );
      },
    );

    describe('answers of the router', () => {
      const app = express();
      app.use('/api', adminApiRouter(fakeDependencies()));
      app.use(notFoundHandler);
      app.use(errorHandler(new RecordingLogger()));

      const parseSpies = Object.entries(adminApiSchemas).flatMap(([name, value]) =>
        value instanceof z.ZodType ? [{ name, value }] : [],
      );
      let spies: { name: string; spy: jest.SpyInstance }[] = [];
      beforeAll(() => {
        spies = parseSpies.map(({ name, value }) => ({ name, spy: jest.spyOn(value, 'parse') }));
      });
      beforeEach(() => jest.clearAllMocks());
      afterAll(() => jest.restoreAllMocks());

      const tooLarge = JSON.stringify([{ id: 'logo', name: 'x'.repeat(11 * 1024 * 1024) }]);
      const exchanges: { operation: string; url: string; status: number; body?: unknown }[] = [
        { operation: 'put /api/accounts', url: '/api/accounts', body: PUT_ACCOUNTS_EXAMPLE, status: 200 },
        { operation: 'put /api/accounts', url: '/api/accounts', body: [{ id: '', name: 'x' }], status: 400 },
        { operation: 'put /api/accounts', url: '/api/accounts', body: tooLarge, status: 413 },
        { operation: 'get /api/accounts', url: '/api/accounts?limit=1', status: 200 },
        { operation: 'get /api/accounts', url: '/api/accounts?limit=0', status: 400 },
        { operation: 'get /api/accounts/{id}', url: '/api/accounts/logo', status: 200 },
        { operation: 'get /api/accounts/{id}', url: '/api/accounts/ghost', status: 404 },
        { operation: 'get /api/accounts/{id}', url: '/api/accounts/a%00b', status: 400 },
        { operation: 'delete /api/accounts/{id}', url: '/api/accounts/logo', status: 204 },
        { operation: 'delete /api/accounts/{id}', url: '/api/accounts/ghost', status: 404 },
        { operation: 'delete /api/accounts/{id}', url: `/api/accounts/${'x'.repeat(300)}`, status: 400 },
        {
          operation: 'get /api/accounts/{id}/interactions',
          url: '/api/accounts/logo/interactions?from=2026-11-01&to=2026-11-30T23:59:59Z&limit=1',
          status: 200,
        },
        {
          operation: 'get /api/accounts/{id}/interactions',
          url: '/api/accounts/logo/interactions?from=yesterday',
          status: 400,
        },
        {
          operation: 'get /api/accounts/{id}/interactions',
          url: '/api/accounts/ghost/interactions',
          status: 404,
        },
        { operation: 'put /api/contacts', url: '/api/contacts', body: PUT_CONTACTS_EXAMPLE, status: 200 },
        {
          operation: 'put /api/contacts',
          url: '/api/contacts',
          body: [{ email: 'nope', accountId: 'logo' }],
          status: 400,
        },
        { operation: 'put /api/contacts', url: '/api/contacts', body: tooLarge, status: 413 },
        { operation: 'delete /api/contacts/{email}', url: '/api/contacts/Tess%40Logo.com', status: 204 },
        { operation: 'delete /api/contacts/{email}', url: '/api/contacts/ghost%40logo.com', status: 404 },
        { operation: 'get /api/meetings', url: '/api/meetings?matched=false', status: 200 },
        { operation: 'get /api/meetings', url: '/api/meetings?matched=true', status: 400 },
        {
          operation: 'get /api/accounts/{id}/engagement',
          url: '/api/accounts/logo/engagement?weeks=26&weeksAhead=8',
          status: 200,
        },
        {
          operation: 'get /api/accounts/{id}/engagement',
          url: '/api/accounts/ghost/engagement',
          status: 404,
        },
        {
          operation: 'get /api/accounts/{id}/engagement',
          url: '/api/accounts/logo/engagement?weeks=0',
          status: 400,
        },
        {
          operation: 'get /api/engagement',
          url: '/api/engagement?sort=-lastMeeting&notMetDays=60&q=logo&limit=2',
          status: 200,
        },
        { operation: 'get /api/engagement', url: '/api/engagement?sort=size', status: 400 },
        { operation: 'get /api/connections', url: '/api/connections', status: 200 },
        ...(['resync', 'reconnect'] as const).flatMap((action) => [
          {
            operation: `post /api/connections/{memberId}/${action}`,
            url: `/api/connections/${ACTIVE}/${action}`,
            status: action === 'resync' ? 202 : 200,
          },
          {
            operation: `post /api/connections/{memberId}/${action}`,
            url: `/api/connections/${NEEDS_RECONNECT}/${action}`,
            status: 409,
          },
          {
            operation: `post /api/connections/{memberId}/${action}`,
            url: `/api/connections/${UNKNOWN_MEMBER}/${action}`,
            status: 404,
          },
          {
            operation: `post /api/connections/{memberId}/${action}`,
            url: `/api/connections/not-a-uuid/${action}`,
            status: 400,
          },
        ]),
        {
          operation: 'post /api/connections/{memberId}/reconnect',
          url: `/api/connections/${GOOGLE_DOWN}/reconnect`,
          status: 503,
        },
        {
          operation: 'post /api/connections/{memberId}/reconnect',
          url: `/api/connections/${GOOGLE_REFUSES}/reconnect`,
          status: 502,
        },
        { operation: 'delete /api/connections/{memberId}', url: `/api/connections/${ACTIVE}`, status: 204 },
        { operation: 'delete /api/connections/{memberId}', url: '/api/connections/not-a-uuid', status: 400 },
        {
          operation: 'delete /api/connections/{memberId}',
          url: `/api/connections/${UNKNOWN_MEMBER}`,
          status: 404,
        },
        { operation: 'post /api/channels/renew', url: '/api/channels/renew', status: 200 },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { emails: ['alex@ourco.example', 'gone@ourco.example'] },
          status: 200,
        },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { domain: 'ourco.example' },
          status: 200,
        },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { emails: ['a@ourco.example'], domain: 'ourco.example' },
          status: 400,
        },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { domain: 'nope.example' },
          status: 404,
        },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { emails: ['nobody@ourco.example'] },
          status: 409,
        },
        { operation: 'post /api/members', url: '/api/members', body: tooLarge, status: 413 },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { domain: 'refused.example' },
          status: 502,
        },
        {
          operation: 'post /api/members',
          url: '/api/members',
          body: { domain: 'down.example' },
          status: 503,
        },
        { operation: 'get /api/interactions', url: '/api/interactions?limit=10', status: 200 },
        { operation: 'get /api/interactions', url: '/api/interactions?cursor=not-ours', status: 400 },
        { operation: 'get /api/changes', url: '/api/changes?limit=10&wait=0', status: 200 },
        { operation: 'get /api/changes', url: '/api/changes?wait=31', status: 400 },
        {
          operation: 'get /api/changes',
          url: `/api/changes?cursor=${encodeFeedCursor({ xid: 12n, seq: 0n })}`,
          status: 410,
        },
        {
          operation: 'post /api/webhook-endpoints',
          url: '/api/webhook-endpoints',
          body: { url: 'https://crm.example/hooks/calendar', description: 'CRM' },
          status: 201,
        },
        {
          operation: 'post /api/webhook-endpoints',
          url: '/api/webhook-endpoints',
          body: { url: 'ftp://crm.example/hooks' },
          status: 400,
        },
        {
          operation: 'post /api/webhook-endpoints',
          url: '/api/webhook-endpoints',
          body: tooLarge,
          status: 413,
        },
        { operation: 'get /api/webhook-endpoints', url: '/api/webhook-endpoints', status: 200 },
        {
          operation: 'delete /api/webhook-endpoints/{id}',
          url: `/api/webhook-endpoints/${ENDPOINT}`,
          status: 204,
        },
        {
          operation: 'delete /api/webhook-endpoints/{id}',
          url: `/api/webhook-endpoints/${UNKNOWN_ENDPOINT}`,
          status: 404,
        },
        { operation: 'delete /api/webhook-endpoints/{id}', url: '/api/webhook-endpoints/nope', status: 400 },
        {
          operation: 'get /api/webhook-endpoints/{id}/deliveries',
          url: `/api/webhook-endpoints/${ENDPOINT}/deliveries`,
          status: 200,
        },
        {
          operation: 'get /api/webhook-endpoints/{id}/deliveries',
          url: `/api/webhook-endpoints/${UNKNOWN_ENDPOINT}/deliveries`,
          status: 404,
        },
        {
          operation: 'get /api/webhook-endpoints/{id}/deliveries',
          url: '/api/webhook-endpoints/nope/deliveries',
          status: 400,
        },
      ];
      // Every operation refuses a request without the key; those 401s are not listed above one by one.
      const unauthorized = operations().map(({ key, path }) => ({
        operation: key,
        url: samplePath(path),
        status: 401,
        body: undefined,
        anonymous: true,
      }));

      it('cover every documented answer', () => {
        const exercised = new Set([...exchanges, ...unauthorized].map((e) => `${e.operation} ${e.status}`));
        const documented = operations().flatMap(({ key, operation }) =>
          Object.keys(operation.responses ?? {}).map((status) => `${key} ${status}`),
        );
        expect(documented.filter((answer) => !exercised.has(answer))).toEqual([]);
      });

      it.each([...exchanges.map((e) => ({ ...e, anonymous: false })), ...unauthorized])(
        '$operation answers $url with a documented $status',
        async ({ operation: key, url, status, body, anonymous }) => {
          const operation = operations().find((op) => op.key === key)?.operation;
          expect(operation).toBeDefined();
          const [method] = key.split(' ') as [Method];
          let call = request(app)[method as 'get' | 'put' | 'post' | 'delete'](url);
          if (!anonymous) call = call.set('Authorization', `Bearer ${ADMIN_KEY}`);
          if (typeof body === 'string') call = call.type('json').send(body);
          else if (body !== undefined) call = call.send(body as object);
          const res = await call;

          expect(res.status).toBe(status);
          const documented = responseOf(operation!, String(status));
          expect(documented).toBeDefined();
          const schema = documented?.content?.['application/json']?.schema;
          if (schema === undefined) expect(res.text).toBe('');
          else expect(problems(schema, res.body)).toEqual([]);

          if (status < 300) {
            const parsedWith = spies.filter(({ spy }) => spy.mock.calls.length > 0).map(({ name }) => name);
            expect(parsedWith.sort()).toEqual(
              [BODIES[key], QUERIES[key]].filter((name) => name !== undefined).sort(),
            );
          }
        },
      );
    });
  });

  describe('examples of CONTRACT.md and the README', () => {
    const schemaOf = (key: string, status: string) => {
      const operation = operations().find((op) => op.key === key)?.operation;
      return responseOf(operation!, status)?.content?.['application/json']?.schema ?? false;
    };
    const bodyOf = (key: string) =>
      operations().find((op) => op.key === key)?.operation.requestBody?.content?.['application/json']
        ?.schema ?? false;
    const interaction = { $ref: '#/components/schemas/Interaction' };

    it('the Interaction example is a documented Interaction', () => {
      expect(problems(interaction, CONTRACT_INTERACTION)).toEqual([]);
      expect(
        problems(schemaOf('get /api/accounts/{id}/interactions', '200'), {
          interactions: [CONTRACT_INTERACTION],
          nextCursor: null,
        }),
      ).toEqual([]);
    });

    it('the uploads of the README are documented request bodies', () => {
      expect(problems(bodyOf('put /api/accounts'), PUT_ACCOUNTS_EXAMPLE)).toEqual([]);
      expect(problems(bodyOf('put /api/contacts'), PUT_CONTACTS_EXAMPLE)).toEqual([]);
      expect(
        problems(bodyOf('put /api/contacts'), [{ email: 'a@logo.com', name: null, accountId: 'logo' }]),
      ).toEqual([]);
    });

    it('the GET /api/accounts/:id example of the README is a documented answer', () => {
      expect(
        problems(schemaOf('get /api/accounts/{id}', '200'), {
          id: 'logo',
          name: 'Logo Inc',
          domains: ['logo.com'],
          contactCount: 1,
        }),
      ).toEqual([]);
    });

    it('the checker rejects what the document rules out', () => {
      const { accountId: _accountId, ...withoutAccount } = CONTRACT_INTERACTION;
      expect(problems(interaction, withoutAccount)).toEqual(['$.accountId: missing']);
      expect(problems(interaction, { ...CONTRACT_INTERACTION, matchedBy: 'email' })).toHaveLength(1);
      expect(problems(interaction, { ...CONTRACT_INTERACTION, date: '20 Nov 2026' })).toHaveLength(1);
      expect(problems(interaction, { ...CONTRACT_INTERACTION, extra: 1 })).toEqual([
        '$.extra: not in the document',
      ]);
      expect(problems(bodyOf('put /api/accounts'), [{ id: 'logo', domains: 'logo.com' }])).toEqual([
        '$[0].name: missing',
        '$[0].domains: "logo.com" is not array',
      ]);
    });
  });
});
