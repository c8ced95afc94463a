import { createHash, createHmac, randomBytes } from 'node:crypto';

import type { EntityManager } from 'typeorm';

import type {
  IssuedState,
  OAuthStateStore,
  StateVerdict,
} from '../../application/ports/oauth-state-store.port';
import { sameSecret } from '../crypto/constant-time';
import { deriveKey } from '../crypto/key-derivation';

/** How long a sign-in may take between starting and Google's callback. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

const STATE = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * States are `<nonce>.<expiry>.<HMAC>` under a key derived from SECRET_KEY: issuing one stores nothing, so starting
 * sign-ins (unauthenticated, rate-limited per address) costs no database work. A state that comes back valid is
 * recorded as used, as a digest, until it expires: it is accepted once.
 */
export class TypeOrmOAuthStateStore implements OAuthStateStore {
  private readonly key: Buffer;

  constructor(
    private readonly db: EntityManager,
    secretKey: string,
  ) {
    this.key = deriveKey(secretKey, 'oauth-state');
  }

  issue(now: Date): IssuedState {
    const expiresAt = new Date(now.getTime() + OAUTH_STATE_TTL_MS);
    const payload = `${randomBytes(16).toString('base64url')}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return { state: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  async consume(
    state: string | undefined,
    browserState: string | undefined,
    now: Date,
  ): Promise<StateVerdict> {
    if (!state || !browserState || !sameSecret(state, browserState)) return 'other_browser';
    const match = STATE.exec(state);
    if (match === null || !sameSecret(match[3]!, this.sign(`${match[1]}.${match[2]}`))) return 'invalid';
    const expiresAt = new Date(Number(match[2]) * 1000);
    if (expiresAt <= now) return 'invalid';
    const rows = await this.db.query<{ state_hash: string }[]>(
      `WITH swept AS (DELETE FROM oauth_states WHERE expires_at < now())
       INSERT INTO oauth_states (state_hash, expires_at) VALUES ($1, $2)
       ON CONFLICT (state_hash) DO NOTHING
       RETURNING state_hash`,
      [createHash('sha256').update(state).digest('hex'), expiresAt],
    );
    return rows.length === 1 ? 'accepted' : 'invalid';
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
