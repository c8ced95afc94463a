import { createHmac } from 'node:crypto';

import cookieParser from 'cookie-parser';
import type { Request, RequestHandler, Response } from 'express';

import { sameSecret } from '../crypto/constant-time';
import { deriveKey } from '../crypto/key-derivation';

const SESSION_COOKIE = 'sid';
const STATE_COOKIE = 'oauth_state';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;

/** Parses the Cookie header into `req.cookies`; mounted where sessions are read, not on the webhook. */
export const parseCookies: RequestHandler = cookieParser();

function cookie(req: Request, name: string): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Signed, expiring session cookies: `<memberId>.<expiry seconds>.<HMAC-SHA256>` under a key derived from
 * SECRET_KEY. Stateless, so any instance can read them.
 */
export class Sessions {
  private readonly key: Buffer;

  constructor(
    secretKey: string,
    private readonly secure: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = deriveKey(secretKey, 'session-cookie');
  }

  signIn(res: Response, memberId: string): void {
    const expires = Math.floor((this.now().getTime() + SESSION_TTL_MS) / 1000);
    const payload = `${memberId}.${expires}`;
    res.cookie(SESSION_COOKIE, `${payload}.${this.sign(payload)}`, this.options(SESSION_TTL_MS));
  }

  signOut(res: Response): void {
    res.clearCookie(SESSION_COOKIE, this.options(0));
  }

  memberId(req: Request): string | null {
    const value = cookie(req, SESSION_COOKIE);
    const match =
      value === undefined ? null : /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (match === null) return null;
    const [, memberId, expires, signature] = match;
    if (!sameSecret(signature!, this.sign(`${memberId}.${expires}`))) return null;
    if (Number(expires) * 1000 <= this.now().getTime()) return null;
    return memberId!;
  }

  /** The anti-CSRF token of this session, for the hidden field of every form. */
  csrfToken(req: Request): string | null {
    const value = cookie(req, SESSION_COOKIE);
    return value === undefined || this.memberId(req) === null ? null : this.sign(`csrf:${value}`);
  }

  /**
   * A form POST made in a browser session must carry that session's token, whatever its headers say (a request
   * without Origin or Referer may still come from a browser). Without a session there is nothing to forge: the
   * handler itself answers that the member is not signed in.
   */
  csrfOk(req: Request, token: unknown): boolean {
    if (this.memberId(req) === null) return true;
    const expected = this.csrfToken(req);
    return expected !== null && typeof token === 'string' && sameSecret(token, expected);
  }

  /** Binds an OAuth state to this browser for the sign-in round trip. */
  rememberState(res: Response, state: string, ttlMs: number): void {
    res.cookie(STATE_COOKIE, state, { ...this.options(ttlMs), path: '/auth/google' });
  }

  browserState(req: Request): string | undefined {
    return cookie(req, STATE_COOKIE);
  }

  forgetState(res: Response): void {
    res.clearCookie(STATE_COOKIE, { ...this.options(0), path: '/auth/google' });
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private options(maxAge: number) {
    return { httpOnly: true, sameSite: 'lax' as const, secure: this.secure, path: '/', maxAge };
  }
}
