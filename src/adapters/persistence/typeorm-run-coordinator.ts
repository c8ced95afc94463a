import type { RunCoordinator } from 'node-cron';
import type { EntityManager } from 'typeorm';

/**
 * node-cron's `distributed` coordinator on the shared database: the first instance to insert a tick's key runs
 * it, the others skip it. Keys of old ticks are swept as new ones are claimed.
 */
export class TypeOrmRunCoordinator implements RunCoordinator {
  constructor(private readonly db: EntityManager) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query<{ key: string }[]>(
      `WITH swept AS (DELETE FROM job_runs WHERE expires_at < now() - interval '1 day')
       INSERT INTO job_runs (key, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO NOTHING
       RETURNING key`,
      [key, ttlMs],
    );
    return rows.length === 1;
  }
}
