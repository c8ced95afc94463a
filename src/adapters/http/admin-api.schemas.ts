import { z } from 'zod';

import { MAX_BATCH_ROWS } from '../../application/batch-limits';
import type { Account, Contact } from '../../domain/account';
import { Email, EmailDomain } from '../../domain/email';

export const MAX_DOMAINS_PER_ACCOUNT = 1_000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;

export const accountIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');

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
    name: z.string().trim().min(1, 'must not be empty').max(1_000, 'must be at most 1000 characters'),
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
      .string()
      .trim()
      .max(1_000, 'must be at most 1000 characters')
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
    if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      return { kind: 'date' as const, date: value };
    }
    if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value))) {
      return { kind: 'instant' as const, at: new Date(value) };
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must be a date (2026-11-20) or an ISO 8601 instant with a zone',
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
