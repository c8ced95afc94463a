import { z } from 'zod';

import { MAX_BATCH_ROWS } from '../../application/batch-limits';
import { ENGAGEMENT_SORTS, type EngagementSort } from '../../application/ports/engagement-read-model.port';
import type { Account, Contact } from '../../domain/account';
import { Email, EmailDomain } from '../../domain/email';
import { parseIsoDate, parseIsoInstant } from './time-params';

export const MAX_DOMAINS_PER_ACCOUNT = 1_000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;

/** Control characters (NUL above all, which PostgreSQL's text refuses) have no place in names and ids. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Trimmed text of 1 to `max` characters without control characters. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

export const accountIdSchema = text(256);

const domainSchema = z.string().transform((raw, ctx) => {
  const domain = EmailDomain.parse(raw);
  if (domain === null) {
    ctx.addIssue({ code: 'custom', message: `"${raw.slice(0, 100)}" is not a domain` });
    return z.NEVER;
  }
  return domain;
});

const emailSchema = z.string().transform((raw, ctx) => {
  const email = Email.parse(raw);
  if (email === null) {
    ctx.addIssue({ code: 'custom', message: `"${raw.slice(0, 100)}" is not an email address` });
    return z.NEVER;
  }
  return email;
});

const batch = <T extends z.ZodType>(row: T) =>
  z
    .array(row, { error: 'the body must be a JSON array' })
    .max(MAX_BATCH_ROWS, `at most ${MAX_BATCH_ROWS} rows per request; split larger uploads`);

export const putAccountsSchema = batch(
  z.object({
    id: accountIdSchema,
    name: text(1_000),
    domains: z
      .array(domainSchema)
      .max(MAX_DOMAINS_PER_ACCOUNT, `at most ${MAX_DOMAINS_PER_ACCOUNT} domains per account`)
      .default([])
      .transform((domains) => [...new Map(domains.map((domain) => [domain.value, domain])).values()]),
  }),
).transform((rows): Account[] => rows);

export const putContactsSchema = batch(
  z.object({
    email: emailSchema,
    name: z
      .union([z.string().trim().length(0), text(1_000)])
      .transform((name) => (name === '' ? null : name))
      .nullable()
      .optional(),
    accountId: accountIdSchema,
  }),
).transform((rows): Contact[] => rows);

const pageLimit = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
  .default(DEFAULT_PAGE_SIZE);

/** A day (YYYY-MM-DD, compared with the interaction's local date) or an instant (ISO 8601 with a zone). */
const dateOrInstant = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const date = parseIsoDate(value);
    if (date !== null) return { kind: 'date' as const, date };
    const at = parseIsoInstant(value);
    if (at !== null) return { kind: 'instant' as const, at };
    ctx.addIssue({
      code: 'custom',
      message: 'must be a date that exists (2026-11-20) or an ISO 8601 instant with a zone',
    });
    return z.NEVER;
  });

export const interactionsQuerySchema = z.object({
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  limit: pageLimit,
  cursor: z.string().optional(),
});

export const meetingsQuerySchema = z.object({
  matched: z.literal('false', { error: 'only matched=false is supported: the meetings to fix' }),
  limit: pageLimit,
  cursor: z.string().optional(),
});

export const listAccountsQuerySchema = z.object({
  limit: pageLimit,
  cursor: z.string().optional(),
});

/** GET /api/changes: `wait` holds an empty answer open for that many seconds (at most 30). */
export const changesQuerySchema = z.object({
  cursor: z.string().optional(),
  limit: pageLimit,
  wait: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be at least 0')
    .max(30, 'must be at most 30')
    .default(0),
});

export const allInteractionsQuerySchema = z.object({
  limit: pageLimit,
  cursor: z.string().optional(),
});

/** POST /api/webhook-endpoints: http(s) anywhere, https only in production (CONTRACT.md). */
const endpointSchema = (httpsOnly: boolean) =>
  z.object({
    url: z
      .string()
      .trim()
      .max(2_000, 'must be at most 2000 characters')
      .refine(
        (value) => {
          try {
            const { protocol, hostname } = new URL(value);
            return hostname !== '' && (protocol === 'https:' || (!httpsOnly && protocol === 'http:'));
          } catch {
            return false;
          }
        },
        `must be an absolute ${httpsOnly ? 'https' : 'http(s)'} URL`,
      ),
    description: z.union([z.string().trim().length(0), text(500)]).nullish(),
  });

export const webhookEndpointSchema = endpointSchema(false);
export const httpsWebhookEndpointSchema = endpointSchema(true);

/** Emails enrolled by one POST /api/members. */
export const MAX_ENROLMENT_EMAILS = 1_000;

/** POST /api/members: exactly one of `{emails: [..]}` and `{domain: ".."}`. */
export const enrolMembersSchema = z
  .object(
    {
      emails: z
        .array(emailSchema, { error: 'must be an array of email addresses' })
        .min(1, 'must list at least one email address')
        .max(MAX_ENROLMENT_EMAILS, `at most ${MAX_ENROLMENT_EMAILS} emails per request`)
        .optional(),
      domain: domainSchema.optional(),
    },
    { error: 'the body must be {"emails": [..]} or {"domain": ".."}' },
  )
  .strict()
  .refine((body) => (body.emails === undefined) !== (body.domain === undefined), {
    message: 'give either "emails" or "domain", not both',
  })
  .transform((body): { emails: string[] } | { domain: string } =>
    body.domain === undefined
      ? { emails: body.emails!.map((email) => email.value) }
      : { domain: body.domain.value },
  );

export const MAX_WEEKS = 104;
export const MAX_WEEKS_AHEAD = 26;

const whole = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `must be a number of ${name}` })
    .int(`must be a whole number of ${name}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const weeks = {
  weeks: whole('weeks', 1, MAX_WEEKS).default(12),
  weeksAhead: whole('weeks', 0, MAX_WEEKS_AHEAD).default(0),
};

/** `name`, `-lastMeeting`…: a leading `-` sorts descending. */
export const engagementSortSchema = z
  .string()
  .default('name')
  .transform((value, ctx) => {
    const direction = value.startsWith('-') ? ('desc' as const) : ('asc' as const);
    const sort = direction === 'desc' ? value.slice(1) : value;
    if (!(ENGAGEMENT_SORTS as readonly string[]).includes(sort)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be one of ${ENGAGEMENT_SORTS.join(', ')}, with a leading - for descending`,
      });
      return z.NEVER;
    }
    return { sort: sort as EngagementSort, direction };
  });

/** Part of an account's name, id or domain: empty means no filter. */
export const engagementSearchSchema = z
  .string()
  .trim()
  .max(200, 'must be at most 200 characters')
  .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

/** GET /api/engagement and the accounts page. */
export const engagementListQuerySchema = z.object({
  limit: whole('accounts', 1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().optional(),
  sort: engagementSortSchema,
  q: engagementSearchSchema
    .optional()
    .transform((value) => (value === undefined || value === '' ? null : value)),
  notMetDays: whole('days', 1, 3_650).optional(),
  neverMet: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  ...weeks,
});

/** GET /api/accounts/:id/engagement. */
export const accountEngagementQuerySchema = z.object(weeks);
