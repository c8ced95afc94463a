import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Request, Response } from 'express';

import { deriveKey } from '../crypto/key-derivation';

const SESSION_COOKIE = 'sid';
const STATE_COOKIE = 'oauth_state';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;

/** Reads one cookie from the request header (no cookie-parser needed for two cookies). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
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
    const value = readCookie(req, SESSION_COOKIE);
    const match =
      value === undefined ? null : /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (match === null) return null;
    const [, memberId, expires, signature] = match;
    const expected = Buffer.from(this.sign(`${memberId}.${expires}`));
    if (!timingSafeEqual(Buffer.from(signature!), expected)) return null;
    if (Number(expires) * 1000 <= this.now().getTime()) return null;
    return memberId!;
  }

  /** The anti-CSRF token of this session, for the hidden field of every form. */
  csrfToken(req: Request): string | null {
    const value = readCookie(req, SESSION_COOKIE);
    return value === undefined || this.memberId(req) === null ? null : this.sign(`csrf:${value}`);
  }

  /**
   * A form POST is accepted with this session's token. Requests with neither Origin nor Referer come from no
   * browser (curl, scripts): a forged cross-site request always has one, so they need no token.
   */
  csrfOk(req: Request, token: unknown): boolean {
    if (req.get('origin') === undefined && req.get('referer') === undefined) return true;
    const expected = this.csrfToken(req);
    if (expected === null || typeof token !== 'string') return false;
    const a = Buffer.from(token);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Binds an OAuth state to this browser for the sign-in round trip. */
  rememberState(res: Response, state: string, ttlMs: number): void {
    res.cookie(STATE_COOKIE, state, { ...this.options(ttlMs), path: '/auth/google' });
  }

  browserState(req: Request): string | undefined {
    return readCookie(req, STATE_COOKIE);
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
