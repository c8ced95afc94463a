import express, { type Response, Router } from 'express';
import { z } from 'zod';

import { renderConsentPage, renderErrorPage } from './consent-page';
import type { AuthorizationGrant, OAuthStore } from './oauth-store';
import { setRequestUser } from './request-context';
import { JWT_BEARER_GRANT, type ServiceAccounts, type UserState } from './service-accounts';

export interface OAuthRouterDependencies {
  clientId: string;
  clientSecret: string;
  store: OAuthStore;
  users(): Array<{ email: string; name?: string }>;
  /** The test's choice: answer as this user at once, deny at once, or show the consent page. */
  consent(): { user: string | null; deny: boolean };
  /** Granular consent: the scopes this user leaves ticked, or null for all that were asked. */
  grantedScopes(email: string): readonly string[] | null;
  /** While set, the token endpoint refuses the client whatever it sends. */
  refusedClient(): 'invalid_client' | 'unauthorized_client' | null;
  /** The JWT bearer grant of service accounts (domain-wide delegation). */
  serviceAccounts: ServiceAccounts;
  userState(email: string): UserState;
}

const PROMPTS = new Set(['none', 'consent', 'select_account']);

const param = (name: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined
        ? `Missing required parameter: ${name}`
        : `Invalid parameter value for ${name}`,
  });

const isHttpUrl = (value: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

const authorizationRequestSchema = z.object({
  redirect_uri: param('redirect_uri').refine(isHttpUrl, 'Invalid parameter value for redirect_uri'),
  response_type: param('response_type').refine((type) => type === 'code', 'Invalid response_type'),
  scope: param('scope').refine((scope) => scope.trim() !== '', 'Missing required parameter: scope'),
  state: param('state').optional(),
  access_type: z.enum(['online', 'offline'], { error: 'Invalid access_type' }).optional(),
  prompt: param('prompt')
    .refine((prompt) => prompt.split(' ').every((value) => PROMPTS.has(value)), 'Invalid prompt')
    .optional(),
});

type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;

const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  refresh_token: z.string().optional(),
  assertion: z.string().optional(),
});

/** Google's consent, token and revoke endpoints of one OAuth client. */
export function oauthRouter(deps: OAuthRouterDependencies): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false });

  /** Like Google, errors before a trusted redirect_uri is known are a page, not a redirect. */
  function parseAuthorizationRequest(res: Response, params: unknown): AuthorizationRequest | null {
    const fields = (params ?? {}) as Record<string, unknown>;
    if (typeof fields.client_id !== 'string') {
      errorPage(res, 'Error 400: invalid_request', 'Missing required parameter: client_id');
      return null;
    }
    if (fields.client_id !== deps.clientId) {
      errorPage(res, 'Error 401: invalid_client', 'The OAuth client was not found.');
      return null;
    }
    const parsed = authorizationRequestSchema.safeParse(fields);
    if (!parsed.success) {
      errorPage(res, 'Error 400: invalid_request', parsed.error.issues[0]?.message ?? 'Bad Request');
      return null;
    }
    return parsed.data;
  }

  function redirect(res: Response, request: AuthorizationRequest, params: Record<string, string>): void {
    const target = new URL(request.redirect_uri);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    res.redirect(302, target.href);
  }

  function consentGiven(res: Response, request: AuthorizationRequest, email: string): void {
    const ticked = deps.grantedScopes(email);
    // A user can untick scopes but never grant one the app did not ask for.
    const scope =
      ticked === null
        ? request.scope
        : request.scope
            .split(/\s+/)
            .filter((asked) => ticked.includes(asked))
            .join(' ');
    const code = deps.store.issueCode({
      email,
      redirectUri: request.redirect_uri,
      scope,
      offline: request.access_type === 'offline',
      forceConsent: request.prompt?.split(' ').includes('consent') ?? false,
    });
    setRequestUser(res, email);
    redirect(res, request, { code, scope });
  }

  router.get('/o/oauth2/v2/auth', (req, res) => {
    const request = parseAuthorizationRequest(res, req.query);
    if (request === null) return;
    const consent = deps.consent();
    if (consent.deny) redirect(res, request, { error: 'access_denied' });
    else if (consent.user !== null) consentGiven(res, request, consent.user);
    else {
      const fields = Object.fromEntries(
        Object.entries({ client_id: deps.clientId, ...request }).filter(
          (field): field is [string, string] => field[1] !== undefined,
        ),
      );
      res.type('html').send(renderConsentPage({ users: deps.users(), scope: request.scope, fields }));
    }
  });

  router.post('/o/oauth2/v2/auth/approve', form, (req, res) => {
    const request = parseAuthorizationRequest(res, req.body);
    if (request === null) return;
    const { email, decision } = req.body as { email?: unknown; decision?: unknown };
    if (decision === 'deny') redirect(res, request, { error: 'access_denied' });
    else if (typeof email === 'string' && deps.users().some((user) => user.email === email)) {
      consentGiven(res, request, email);
    } else errorPage(res, 'Error 400: invalid_request', 'Choose one of the listed accounts.');
  });

  router.post('/token', form, (req, res) => {
    res.set({ 'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate', Pragma: 'no-cache' });
    const fields = (req.body ?? {}) as Record<string, unknown>;
    // A service account authenticates with its signed assertion alone: no OAuth client is involved.
    if (fields.grant_type === JWT_BEARER_GRANT) {
      jwtBearer(res, fields.assertion, `${req.protocol}://${req.get('host') ?? ''}${req.baseUrl}/token`);
      return;
    }
    const refused = deps.refusedClient();
    if (refused !== null) {
      oauthError(res, 401, refused, 'Unauthorized');
      return;
    }
    const parsed = tokenRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      oauthError(res, 400, 'invalid_request', 'Bad Request');
      return;
    }
    const body = parsed.data;
    const client = basicCredentials(req.headers.authorization) ?? {
      id: body.client_id,
      secret: body.client_secret,
    };
    if (client.id === undefined) {
      oauthError(res, 400, 'invalid_request', 'Could not determine client ID from request.');
    } else if (client.id !== deps.clientId) {
      oauthError(res, 401, 'invalid_client', 'The OAuth client was not found.');
    } else if (client.secret !== deps.clientSecret) {
      oauthError(res, 401, 'invalid_client', 'Unauthorized');
    } else if (body.grant_type === 'authorization_code') {
      exchangeCode(res, body);
    } else if (body.grant_type === 'refresh_token') {
      refresh(res, body.refresh_token);
    } else if (body.grant_type === undefined) {
      oauthError(res, 400, 'invalid_request', 'Missing required parameter: grant_type');
    } else {
      oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${body.grant_type}`);
    }
  });

  function exchangeCode(res: Response, body: z.infer<typeof tokenRequestSchema>): void {
    if (body.code === undefined || body.redirect_uri === undefined) {
      const missing = body.code === undefined ? 'code' : 'redirect_uri';
      oauthError(res, 400, 'invalid_request', `Missing required parameter: ${missing}`);
      return;
    }
    const grant: AuthorizationGrant | null = deps.store.redeemCode(body.code);
    if (grant === null) {
      oauthError(res, 400, 'invalid_grant', 'Bad Request');
    } else if (grant.redirectUri !== body.redirect_uri) {
      oauthError(res, 400, 'redirect_uri_mismatch', 'Bad Request');
    } else {
      setRequestUser(res, grant.email);
      res.json(deps.store.exchange(grant));
    }
  }

  function jwtBearer(res: Response, assertion: unknown, audience: string): void {
    if (typeof assertion !== 'string' || assertion === '') {
      oauthError(res, 400, 'invalid_request', 'Missing required parameter: assertion');
      return;
    }
    const verdict = deps.serviceAccounts.verify(assertion, audience, (email) => deps.userState(email));
    if (!verdict.ok) {
      oauthError(res, verdict.status, verdict.error, verdict.description);
      return;
    }
    setRequestUser(res, verdict.subject);
    res.json(deps.store.delegated(verdict.subject, verdict.scope));
  }

  function refresh(res: Response, refreshToken: string | undefined): void {
    if (refreshToken === undefined) {
      oauthError(res, 400, 'invalid_request', 'Missing required parameter: refresh_token');
      return;
    }
    const refreshed = deps.store.refresh(refreshToken);
    if (refreshed === null) {
      oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
      return;
    }
    setRequestUser(res, refreshed.email);
    res.json(refreshed.answer);
  }

  router.post('/revoke', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = req.query.token ?? body.token;
    if (typeof token !== 'string' || token === '') {
      oauthError(res, 400, 'invalid_request', 'Bad Request');
    } else if (!deps.store.revoke(token)) {
      oauthError(res, 400, 'invalid_token', 'Token expired or revoked');
    } else {
      res.json({});
    }
  });

  return router;
}

function errorPage(res: Response, heading: string, detail: string): void {
  res.status(400).type('html').send(renderErrorPage(heading, detail));
}

function oauthError(res: Response, status: 400 | 401, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/** RFC 6749 client_secret_basic: both parts are form-urlencoded inside the base64. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}
