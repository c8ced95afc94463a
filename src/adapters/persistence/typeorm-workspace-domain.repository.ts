import type { EntityManager } from 'typeorm';

import type { WorkspaceDomainRepository } from '../../application/ports/workspace-domain-repository.port';

export class TypeOrmWorkspaceDomainRepository implements WorkspaceDomainRepository {
  constructor(private readonly db: EntityManager) {}

  async add(domain: string): Promise<void> {
    await this.db.query(
      `INSERT INTO workspace_domains (domain) VALUES ($1) ON CONFLICT (domain) DO NOTHING`,
      [domain],
    );
  }

  async list(): Promise<string[]> {
    const rows = await this.db.query<{ domain: string }[]>(
      `SELECT domain FROM workspace_domains ORDER BY domain`,
    );
    return rows.map((row) => row.domain);
  }

  async synced(domain: string, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE workspace_domains
       SET last_error = $2, synced_at = CASE WHEN $2::text IS NULL THEN now() ELSE synced_at END
       WHERE domain = $1`,
      [domain, error],
    );
  }
}
