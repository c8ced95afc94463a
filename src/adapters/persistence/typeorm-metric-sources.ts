import type { EntityManager } from 'typeorm';

import type { MetricSources } from '../observability/metrics';
import { CURRENT_CHANNEL } from './channel-sql';
import { TypeOrmWebhookEndpointRepository } from './typeorm-webhook-endpoint.repository';

export class TypeOrmMetricSources implements MetricSources {
  constructor(private readonly db: EntityManager) {}

  async queueDepth(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM members
       WHERE status = 'active' AND (sync_requested_at IS NOT NULL OR safety_sync_at <= now())`,
    );
    return rows[0]!.n;
  }

  webhookQueueDepths(): Promise<{ id: string; pending: number }[]> {
    return new TypeOrmWebhookEndpointRepository(this.db).queueDepths();
  }

  async channelsExpiringWithinDay(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM channels c
       WHERE ${CURRENT_CHANNEL} AND c.expires_at > now() AND c.expires_at <= now() + interval '24 hours'`,
    );
    return rows[0]!.n;
  }
}
