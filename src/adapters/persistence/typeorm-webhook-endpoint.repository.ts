import type { EntityManager } from 'typeorm';

import type { FeedPosition } from '../../application/ports/change-feed.port';
import type {
  DeliveryAttemptView,
  DueDelivery,
  WebhookEndpointRepository,
  WebhookEndpointView,
} from '../../application/ports/webhook-endpoint-repository.port';
import { CHANGE_COLUMNS, FINISHED_BOUND, toChange } from './typeorm-change-feed';

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  created_at: Date;
  disabled_at: Date | null;
  last_delivered_at: Date | null;
  failing_since: Date | null;
  last_error: string | null;
  pending: number;
}

/** The changes an endpoint has still to receive, as far as the feed hands them out. */
const PENDING = `(SELECT count(*)::int FROM interaction_changes c
   WHERE (c.xid, c.seq) > (e.cursor_xid, e.cursor_seq) AND c.xid < ${FINISHED_BOUND})`;

const ENDPOINT_COLUMNS = `e.id, e.url, e.description, e.created_at, e.disabled_at, e.last_delivered_at,
  e.failing_since, e.last_error, ${PENDING} AS pending`;

/**
 * Webhook endpoints and their place in the change feed. A delivery is claimed with `SKIP LOCKED` under a lease with
 * an owner, like a sync: one worker of one instance delivers to an endpoint at a time, and a worker that lost its
 * lease moves nothing.
 */
export class TypeOrmWebhookEndpointRepository implements WebhookEndpointRepository {
  constructor(
    private readonly db: EntityManager,
    /** Told once a new endpoint is stored: the webhook workers of this process sleep while there is none. */
    private readonly created: () => void = () => undefined,
  ) {}

  async create(
    endpoint: { id: string; url: string; description: string | null; sealedSecret: Uint8Array },
    startAfter: FeedPosition,
  ): Promise<WebhookEndpointView> {
    const rows = await this.db.query<EndpointRow[]>(
      `WITH e AS (
         INSERT INTO webhook_endpoints (id, url, description, secret, cursor_xid, cursor_seq)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING *
       )
       SELECT ${ENDPOINT_COLUMNS.replace(`${PENDING} AS pending`, '0 AS pending')} FROM e`,
      [
        endpoint.id,
        endpoint.url,
        endpoint.description,
        Buffer.from(endpoint.sealedSecret),
        startAfter.xid.toString(),
        startAfter.seq.toString(),
      ],
    );
    this.created();
    return toView(rows[0]!);
  }

  async list(): Promise<WebhookEndpointView[]> {
    const rows = await this.db.query<EndpointRow[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e ORDER BY e.created_at, e.id`,
    );
    return rows.map(toView);
  }

  async delete(id: string): Promise<boolean> {
    const [, count] = await this.db.query<[unknown, number]>(`DELETE FROM webhook_endpoints WHERE id = $1`, [
      id,
    ]);
    return count === 1;
  }

  async deliveries(endpointId: string, limit: number): Promise<DeliveryAttemptView[] | null> {
    const known = await this.db.query<unknown[]>(`SELECT 1 FROM webhook_endpoints WHERE id = $1`, [
      endpointId,
    ]);
    if (known.length === 0) return null;
    const rows = await this.db.query<
      {
        change_id: string;
        type: string;
        attempt: number;
        attempted_at: Date;
        status: DeliveryAttemptView['status'];
        response_status: number | null;
        error: string | null;
      }[]
    >(
      `SELECT change_id, type, attempt, attempted_at, status, response_status, error FROM webhook_deliveries
       WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`,
      [endpointId, limit],
    );
    return rows.map((row) => ({
      changeId: row.change_id,
      type: row.type,
      attempt: row.attempt,
      attemptedAt: row.attempted_at,
      status: row.status,
      responseStatus: row.response_status,
      error: row.error,
    }));
  }

  async claimDue(owner: string, leaseMs: number): Promise<DueDelivery | null> {
    const [claimed] = await this.db.query<
      [
        {
          id: string;
          url: string;
          secret: Buffer;
          cursor_xid: string;
          cursor_seq: string;
          attempt: number;
          failing_since: Date | null;
        }[],
        number,
      ]
    >(
      `WITH due AS (
         SELECT e.id FROM webhook_endpoints e
         WHERE e.disabled_at IS NULL AND e.next_attempt_at <= now()
           AND (e.lease_until IS NULL OR e.lease_until < now())
           AND EXISTS (
             SELECT 1 FROM interaction_changes c
             WHERE (c.xid, c.seq) > (e.cursor_xid, e.cursor_seq) AND c.xid < ${FINISHED_BOUND})
         ORDER BY e.next_attempt_at
         LIMIT 1
         FOR UPDATE OF e SKIP LOCKED
       )
       UPDATE webhook_endpoints e
       SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
       FROM due WHERE e.id = due.id
       RETURNING e.id, e.url, e.secret, e.cursor_xid, e.cursor_seq, e.attempt, e.failing_since`,
      [owner, leaseMs],
    );
    const endpoint = claimed[0];
    if (endpoint === undefined) return null;
    const [head] = await this.db.query<Parameters<typeof toChange>[0][]>(
      `SELECT ${CHANGE_COLUMNS} FROM interaction_changes c
       WHERE (c.xid, c.seq) > ($1::bigint, $2::bigint) AND c.xid < ${FINISHED_BOUND}
       ORDER BY c.xid, c.seq LIMIT 1`,
      [endpoint.cursor_xid, endpoint.cursor_seq],
    );
    const lease = { endpointId: endpoint.id, owner };
    if (head === undefined) {
      // Pruned meanwhile: nothing to deliver after all.
      await this.release(lease);
      return null;
    }
    return {
      lease,
      url: endpoint.url,
      sealedSecret: endpoint.secret,
      change: toChange(head),
      attempt: endpoint.attempt + 1,
      failingSince: endpoint.failing_since,
    };
  }

  async startAttempt(delivery: DueDelivery): Promise<string> {
    const rows = await this.db.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (endpoint_id, change_id, type, attempt, status)
       VALUES ($1, $2, $3, $4, 'pending') RETURNING id`,
      [delivery.lease.endpointId, delivery.change.id, delivery.change.type, delivery.attempt],
    );
    return rows[0]!.id;
  }

  async delivered(delivery: DueDelivery, attemptId: string, responseStatus: number): Promise<void> {
    const { position } = delivery.change;
    await this.db.query(
      `WITH moved AS (
         UPDATE webhook_endpoints
         SET cursor_xid = $3, cursor_seq = $4, attempt = 0, next_attempt_at = now(), failing_since = NULL,
             last_error = NULL, last_delivered_at = now(), lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2
         RETURNING id
       )
       UPDATE webhook_deliveries SET status = 'delivered', response_status = $6 WHERE id = $5`,
      [
        delivery.lease.endpointId,
        delivery.lease.owner,
        position.xid.toString(),
        position.seq.toString(),
        attemptId,
        responseStatus,
      ],
    );
  }

  async failed(
    delivery: DueDelivery,
    attemptId: string,
    outcome: { responseStatus: number | null; error: string },
    next: { retryAt: Date } | { disable: true },
  ): Promise<void> {
    const retryAt = 'retryAt' in next ? next.retryAt : null;
    await this.db.query(
      `WITH kept AS (
         UPDATE webhook_endpoints
         SET attempt = $3, next_attempt_at = COALESCE($4, next_attempt_at),
             disabled_at = CASE WHEN $4::timestamptz IS NULL THEN now() ELSE NULL END,
             failing_since = COALESCE(failing_since, now()), last_error = $5, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2
         RETURNING id
       )
       UPDATE webhook_deliveries SET status = 'failed', response_status = $7, error = $5 WHERE id = $6`,
      [
        delivery.lease.endpointId,
        delivery.lease.owner,
        delivery.attempt,
        retryAt,
        outcome.error.slice(0, 300),
        attemptId,
        outcome.responseStatus,
      ],
    );
  }

  async idleState(): Promise<{ active: number; nextDueAt: Date | null }> {
    // Every active endpoint counts; the due time is of paused or leased ones only, since the others wait for a
    // change, and a commit wakes the workers.
    const rows = await this.db.query<{ active: number; due: Date | null }[]>(
      `SELECT count(*)::int AS active,
              min(GREATEST(next_attempt_at, lease_until)) FILTER (WHERE GREATEST(next_attempt_at, lease_until) > now())
                AS due
       FROM webhook_endpoints WHERE disabled_at IS NULL`,
    );
    return { active: rows[0]?.active ?? 0, nextDueAt: rows[0]?.due ?? null };
  }

  /** Changes waiting per endpoint (metrics). */
  async queueDepths(): Promise<{ id: string; pending: number }[]> {
    return this.db.query<{ id: string; pending: number }[]>(
      `SELECT e.id, ${PENDING} AS pending FROM webhook_endpoints e WHERE e.disabled_at IS NULL`,
    );
  }

  private async release(lease: { endpointId: string; owner: string }): Promise<void> {
    await this.db.query(
      `UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
      [lease.endpointId, lease.owner],
    );
  }
}

function toView(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    createdAt: row.created_at,
    status: row.disabled_at === null ? 'active' : 'disabled',
    disabledAt: row.disabled_at,
    lastDeliveredAt: row.last_delivered_at,
    failingSince: row.failing_since,
    lastError: row.last_error,
    pending: row.pending,
  };
}
