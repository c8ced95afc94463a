import { sign } from 'node:crypto';

import {
  DelegationRefusedError,
  GoogleSetupError,
  GoogleUnavailableError,
  RateLimitedError,
} from '../../application/errors';
import type { ServiceAccountKey } from './service-account-key';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google allows an assertion an hour at most. */
const ASSERTION_LIFE_S = 3600;
/** A cached token is replaced this long before it expires, so that no call starts with one about to lapse. */
const EARLY_REFRESH_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Refusals that say the delegation does not cover this user or scope (the Workspace admin's doing). */
const DELEGATION_REFUSALS = new Set(['unauthorized_client', 'access_denied', 'admin_policy_enforced']);
/** `invalid_grant` descriptions that are about the user (`sub`), not the key. */
const UNKNOWN_USER = /invalid email or user id|not a valid email|account has been deleted/i;

export interface DelegatedToken {
  accessToken: string;
  /** ms since the epoch. */
  expiryDate: number;
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Access tokens for Workspace users through the service account's domain-wide delegation: the JWT bearer grant
 * (RFC 7523) signed RS256 with `node:crypto`, as Google documents it (`iss`, `sub`, `scope`, `aud` = the token
 * endpoint, `iat`, `exp` an hour later). Tokens are kept in memory per user and scope until 5 minutes before
 * they expire, never stored; concurrent requests for one user share one token request.
 *
 * Not google-auth-library's JWT client: its gtoken hard-codes Google's token URL as both `aud` and the address it
 * posts to, so pointing it at GOOGLE_BASE_URL means rewriting its requests under it, and its cache cannot be told
 * that Google refused a token it still holds.
 */
export class DelegatedTokens {
  private readonly cache = new Map<string, DelegatedToken>();
  private readonly pending = new Map<string, Promise<DelegatedToken>>();

  constructor(
    private readonly key: ServiceAccountKey,
    /** Read on use: the offline sandbox's address is known once the service listens. */
    private readonly tokenUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  get serviceAccount(): string {
    return this.key.clientEmail;
  }

  /** A token acting as `subject` with `scopes`, from the cache unless it is about to expire. */
  async token(subject: string, scopes: readonly string[]): Promise<DelegatedToken> {
    const cacheKey = `${subject.toLowerCase()} ${scopes.join(' ')}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.expiryDate - EARLY_REFRESH_MS > this.now()) return cached;
    const inFlight = this.pending.get(cacheKey);
    if (inFlight !== undefined) return inFlight;
    const request = this.request(subject, scopes)
      .then((token) => {
        this.cache.set(cacheKey, token);
        return token;
      })
      .finally(() => this.pending.delete(cacheKey));
    this.pending.set(cacheKey, request);
    return request;
  }

  /** Google refused a token it gave (revoked meanwhile): the next `token` asks for a new one. */
  forget(subject: string): void {
    const prefix = `${subject.toLowerCase()} `;
    for (const cacheKey of this.cache.keys()) if (cacheKey.startsWith(prefix)) this.cache.delete(cacheKey);
  }

  private async request(subject: string, scopes: readonly string[]): Promise<DelegatedToken> {
    const iat = Math.floor(this.now() / 1000);
    const tokenUrl = this.tokenUrl();
    const header = {
      alg: 'RS256',
      typ: 'JWT',
      ...(this.key.privateKeyId ? { kid: this.key.privateKeyId } : {}),
    };
    const claims = {
      iss: this.key.clientEmail,
      sub: subject,
      scope: scopes.join(' '),
      aud: tokenUrl,
      iat,
      exp: iat + ASSERTION_LIFE_S,
    };
    const unsigned = `${base64url(header)}.${base64url(claims)}`;
    const signature = sign('RSA-SHA256', Buffer.from(unsigned), this.key.privateKey).toString('base64url');
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: `${unsigned}.${signature}` }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new GoogleUnavailableError(
        `Google's token endpoint could not be reached (${typeof code === 'string' ? code : 'network error'})`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) {
      const accessToken = body.access_token;
      const expiresIn = Number(body.expires_in);
      if (typeof accessToken !== 'string' || !Number.isFinite(expiresIn)) {
        throw new GoogleUnavailableError("Google's token endpoint answered without an access token");
      }
      return { accessToken, expiryDate: this.now() + expiresIn * 1000 };
    }
    throw refusal(response.status, body, subject);
  }
}

/** What a refused token request means, by whose doing it is; messages carry Google's words, never the assertion. */
function refusal(status: number, body: Record<string, unknown>, subject: string): Error {
  const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 200) : '';
  const said = description === '' ? error : `${error}: ${description}`;
  if (status === 429) return new RateLimitedError(`Google's token endpoint asked us to slow down (${said})`);
  if (status >= 500) return new GoogleUnavailableError(`Google's token endpoint failed (${said})`);
  if (DELEGATION_REFUSALS.has(error) || (error === 'invalid_grant' && UNKNOWN_USER.test(description))) {
    return new DelegationRefusedError(`Google refused domain-wide delegation for ${subject} (${said})`);
  }
  return new GoogleSetupError(
    `Google refused the service account's assertion (${said}): check GOOGLE_SERVICE_ACCOUNT_KEY and the clocks`,
  );
}
