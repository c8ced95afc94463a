import { createHash } from 'node:crypto';

import type { EntityManager } from 'typeorm';

import type { OAuthStateStore } from '../../application/ports/oauth-state-store.port';

/** States are kept as digests: a database reader cannot replay one. Expired ones are swept on each save. */
export class TypeOrmOAuthStateStore implements OAuthStateStore {
  constructor(private readonly db: EntityManager) {}

  async save(state: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `WITH swept AS (DELETE FROM oauth_states WHERE expires_at < now())
       INSERT INTO oauth_states (state_hash, expires_at) VALUES ($1, $2)`,
      [digest(state), expiresAt],
    );
  }

  async consume(state: string, now: Date): Promise<boolean> {
    const [rows] = await this.db.query<[{ expires_at: Date }[], number]>(
      `DELETE FROM oauth_states WHERE state_hash = $1 RETURNING expires_at`,
      [digest(state)],
    );
    return rows.length === 1 && rows[0]!.expires_at > now;
  }
}

function digest(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
