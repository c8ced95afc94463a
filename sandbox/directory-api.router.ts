import { createHash } from 'node:crypto';

import { Router } from 'express';
import { z } from 'zod';

import { badRequest, GoogleApiError, insufficientPermissions, invalidCredentials } from './google-errors';
import type { OAuthStore } from './oauth-store';
import { setRequestUser } from './request-context';
import { readsDirectory } from './service-accounts';
import type { SandboxUser } from './types';

export interface DirectoryApiDependencies {
  oauth: OAuthStore;
  /** Every user the sandbox knows, deleted ones included (flagged). */
  users(): SandboxUser[];
  /** Pages hold at most this many users, whatever `maxResults` asks. */
  maxPageSize: number;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

const listQuerySchema = z.object({
  domain: z.string().optional(),
  customer: z.string().optional(),
  maxResults: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  pageToken: z.string().optional(),
  showDeleted: z.enum(['true', 'false']).optional(),
  query: z.string().optional(),
});

const notAuthorized = (): GoogleApiError =>
  new GoogleApiError(
    403,
    { domain: 'global', reason: 'forbidden', message: 'Not Authorized to access this resource/api' },
    undefined,
  );

const domainNotFound = (): GoogleApiError =>
  new GoogleApiError(404, { domain: 'global', reason: 'notFound', message: 'Domain not found.' }, undefined);

const invalidInput = (): GoogleApiError => badRequest('invalid', 'Invalid Input');

const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1);

/** A stable numeric id per email, as Google's user ids look. */
const userId = (email: string): string =>
  BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`)
    .toString()
    .padStart(21, '1');

/** The Directory API's User resource (the `basic` projection's fields that matter here). */
function toUser(user: SandboxUser): Record<string, unknown> {
  const [given = '', ...family] = (user.name ?? user.email.split('@')[0]!).split(' ');
  return {
    kind: 'admin#directory#user',
    id: userId(user.email),
    etag: `"${createHash('sha256').update(JSON.stringify(user)).digest('base64url').slice(0, 27)}"`,
    primaryEmail: user.email,
    name: { givenName: given, familyName: family.join(' '), fullName: user.name ?? given },
    isAdmin: user.isAdmin === true,
    isDelegatedAdmin: false,
    lastLoginTime: '1970-01-01T00:00:00.000Z',
    creationTime: '2024-01-15T09:00:00.000Z',
    agreedToTerms: true,
    suspended: user.suspended === true,
    ...(user.suspended === true ? { suspensionReason: 'ADMIN' } : {}),
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: user.email, primary: true }],
    customerId: 'C0sandbx',
    orgUnitPath: '/',
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
    ...(user.deleted === true ? { deletionTime: '2026-01-01T00:00:00.000Z' } : {}),
  };
}

/** `isSuspended=true|false`, the only search term modelled; anything else is refused like a bad query. */
function matchesQuery(query: string | undefined): (user: SandboxUser) => boolean {
  if (query === undefined) return () => true;
  const match = /^isSuspended=(true|false)$/i.exec(query.trim());
  if (match === null) throw invalidInput();
  const suspended = match[1]!.toLowerCase() === 'true';
  return (user) => (user.suspended === true) === suspended;
}

/**
 * The Directory API's `users.list` (GET /admin/directory/v1/users) as an admin reads it: a token of an admin user
 * with a directory scope; `domain` (or `customer`) required; pages of `maxResults` (100 by default, at most 500)
 * ordered by email with an opaque `nextPageToken`; suspended users listed with `suspended: true`; deleted users
 * only with `showDeleted=true`, and then only them.
 */
export function directoryApiRouter(deps: DirectoryApiDependencies): Router {
  const router = Router();

  router.get('/users', (req, res) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const access = bearer === undefined ? null : deps.oauth.accessOf(bearer);
    if (access === null) throw invalidCredentials();
    setRequestUser(res, access.email);
    if (!readsDirectory(access.scopes)) throw insufficientPermissions();
    const caller = deps.users().find((user) => user.email === access.email);
    if (
      caller === undefined ||
      caller.isAdmin !== true ||
      caller.suspended === true ||
      caller.deleted === true
    ) {
      throw notAuthorized();
    }
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalidInput();
    const query = parsed.data;
    const callerDomain = domainOf(caller.email);
    const domain =
      query.domain?.toLowerCase() ??
      (query.customer === 'my_customer' ? callerDomain : query.customer === undefined ? null : undefined);
    if (domain === null) throw badRequest('badRequest', 'Bad Request');
    if (domain === undefined) throw domainNotFound();
    const inDomain = deps.users().filter((user) => domainOf(user.email) === domain);
    if (inDomain.length === 0) throw domainNotFound();
    // One Workspace account per domain here: an admin reads only their own.
    if (domain !== callerDomain) throw notAuthorized();

    const deleted = query.showDeleted === 'true';
    const listed = inDomain
      .filter((user) => (user.deleted === true) === deleted)
      .filter(matchesQuery(query.query))
      .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    let start = 0;
    if (query.pageToken !== undefined) {
      const after = decodePageToken(query.pageToken, domain);
      if (after === null) throw invalidInput();
      start = listed.findIndex((user) => user.email > after);
      if (start < 0) start = listed.length;
    }
    const size = Math.min(query.maxResults, deps.maxPageSize);
    const page = listed.slice(start, start + size);
    const more = start + size < listed.length;
    res.json({
      kind: 'admin#directory#users',
      etag: `"${createHash('sha256')
        .update(page.map((u) => u.email).join())
        .digest('base64url')
        .slice(0, 27)}"`,
      ...(page.length === 0 ? {} : { users: page.map(toUser) }),
      ...(more ? { nextPageToken: encodePageToken(page.at(-1)!.email, domain) } : {}),
    });
  });

  return router;
}

function encodePageToken(afterEmail: string, domain: string): string {
  return Buffer.from(JSON.stringify({ a: afterEmail, d: domain })).toString('base64url');
}

function decodePageToken(token: string, domain: string): string | null {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      a?: unknown;
      d?: unknown;
    };
    return typeof value.a === 'string' && value.d === domain ? value.a : null;
  } catch {
    return null;
  }
}
