import { randomBytes } from 'node:crypto';

/** What the user consented to, remembered with the authorization code. */
export interface AuthorizationGrant {
  email: string;
  redirectUri: string;
  /** What the user granted (space-separated), which may be less than what was asked. */
  scope: string;
  offline: boolean;
  /** `prompt=consent`: Google hands out a refresh token again only when the consent screen was forced. */
  forceConsent: boolean;
}

/** Google's token endpoint answer, keys in Google's order. */
export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: 'Bearer';
}

const CODE_TTL_MS = 10 * 60_000;

/** Who an access token acts for, and with which scopes. */
export interface AccessGrant {
  email: string;
  scopes: string[];
}

const opaque = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

/** Authorization codes, refresh tokens and access tokens of the single sandbox OAuth client. */
export class OAuthStore {
  private readonly codes = new Map<string, AuthorizationGrant & { expiresAt: number }>();
  private readonly refreshTokens = new Map<string, { email: string; scope: string }>();
  private readonly accessTokens = new Map<
    string,
    AccessGrant & { expiresAt: number; via: 'client' | 'delegation' }
  >();
  /** Users to whom a refresh token was issued and whose grant still stands. */
  private readonly offlineGrants = new Set<string>();

  constructor(
    private readonly now: () => Date,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  issueCode(grant: AuthorizationGrant): string {
    const code = opaque('4/0A');
    this.codes.set(code, { ...grant, expiresAt: this.now().getTime() + CODE_TTL_MS });
    return code;
  }

  /** Single use: the code is gone after this, whatever the outcome. */
  redeemCode(code: string): AuthorizationGrant | null {
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (grant === undefined || grant.expiresAt <= this.now().getTime()) return null;
    return grant;
  }

  exchange(grant: AuthorizationGrant): TokenAnswer {
    const withRefreshToken = grant.offline && (!this.offlineGrants.has(grant.email) || grant.forceConsent);
    const accessToken = this.issueAccessToken(grant.email, grant.scope);
    if (!withRefreshToken) return this.answer(accessToken, grant.scope);
    const refreshToken = opaque('1//0');
    this.refreshTokens.set(refreshToken, { email: grant.email, scope: grant.scope });
    this.offlineGrants.add(grant.email);
    return this.answer(accessToken, grant.scope, refreshToken);
  }

  /**
   * Re-registers a refresh token issued by an earlier sandbox (the state lives in memory): an offline service that
   * restarts keeps its members connected, as they would stay with Google.
   */
  restoreGrant(email: string, refreshToken: string, scope: string): void {
    this.refreshTokens.set(refreshToken, { email, scope });
    this.offlineGrants.add(email);
  }

  /** A new access token; never a new refresh token, as Google. */
  refresh(refreshToken: string): { email: string; answer: TokenAnswer } | null {
    const grant = this.refreshTokens.get(refreshToken);
    if (grant === undefined) return null;
    const accessToken = this.issueAccessToken(grant.email, grant.scope);
    return { email: grant.email, answer: this.answer(accessToken, grant.scope) };
  }

  /** The JWT bearer grant's answer: an access token for the impersonated user, never a refresh token. */
  delegated(email: string, scope: string): TokenAnswer {
    return this.answer(this.issueAccessToken(email, scope, 'delegation'), scope);
  }

  accessOf(token: string): AccessGrant | null {
    const access = this.accessTokens.get(token);
    if (access === undefined || access.expiresAt <= this.now().getTime()) return null;
    return { email: access.email, scopes: access.scopes };
  }

  /** Revoking any token of a user removes the app's whole grant, as Google's revoke endpoint does. */
  revoke(token: string): boolean {
    const email = this.refreshTokens.get(token)?.email ?? this.accessTokens.get(token)?.email;
    if (email === undefined) return false;
    this.revokeGrant(email);
    return true;
  }

  /** The OAuth client's grant only: tokens a service account obtained for the user are not part of it. */
  revokeGrant(email: string): void {
    for (const [token, grant] of this.refreshTokens)
      if (grant.email === email) this.refreshTokens.delete(token);
    for (const [token, access] of this.accessTokens) {
      if (access.email === email && access.via === 'client') this.accessTokens.delete(token);
    }
    this.offlineGrants.delete(email);
  }

  expireAccessTokens(email?: string): void {
    for (const [token, access] of this.accessTokens) {
      if (email === undefined || access.email === email) this.accessTokens.delete(token);
    }
  }

  private issueAccessToken(email: string, scope: string, via: 'client' | 'delegation' = 'client'): string {
    const token = opaque('ya29.a0');
    this.accessTokens.set(token, {
      email,
      scopes: scope.split(/\s+/).filter(Boolean),
      expiresAt: this.now().getTime() + this.accessTokenTtlSeconds * 1000,
      via,
    });
    return token;
  }

  private answer(accessToken: string, scope: string, refreshToken?: string): TokenAnswer {
    return {
      access_token: accessToken,
      expires_in: this.accessTokenTtlSeconds,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope,
      token_type: 'Bearer',
    };
  }
}
