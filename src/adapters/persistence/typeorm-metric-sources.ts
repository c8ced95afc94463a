import type { EntityManager } from 'typeorm';

import type { MetricSources } from '../observability/metrics';

export class TypeOrmMetricSources implements MetricSources {
  constructor(private readonly db: EntityManager) {}

  async queueDepth(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM members
       WHERE status = 'active' AND (sync_requested_at IS NOT NULL OR safety_sync_at <= now())`,
    );
    return rows[0]!.n;
  }

  async channelsExpiringWithinDay(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM channels
       WHERE stopped_at IS NULL AND expires_at > now() AND expires_at <= now() + interval '24 hours'`,
    );
    return rows[0]!.n;
  }
}
