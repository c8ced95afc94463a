import type { EntityManager } from 'typeorm';

import type { ClaimedSync, SyncQueue } from '../../application/ports/sync-queue.port';
import { WAKE_CHANNEL } from './pg-wake-channel';

/** The sync flags live on the member row; times come from the database clock, shared by every instance. */
export class TypeOrmSyncQueue implements SyncQueue {
  constructor(private readonly db: EntityManager) {}

  async request(memberId: string, full: boolean): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_requested_at = now(), full_sync_requested = full_sync_requested OR $2
       WHERE id = $1 AND status = 'active'`,
      [memberId, full],
    );
  }

  async requestAllSpread(periodMs: number): Promise<number> {
    const [, count] = await this.db.query<[unknown, number]>(
      `UPDATE members
       SET safety_sync_at = now() + (abs(hashtext(id::text)::bigint) % GREATEST($1::bigint, 1)) * interval '1 millisecond'
       WHERE status = 'active' AND safety_sync_at IS NULL`,
      [Math.max(1, Math.floor(periodMs))],
    );
    // Idle workers sleep until the next request they know of, up to 5 s: woken now (every instance's, by
    // LISTEN/NOTIFY on a server), they wait for the first due time instead. Otherwise the calendars due in the
    // first seconds of the period all started together when the workers next looked (5 s of a 30 s period in
    // one second: found by test/reliability/scale.spec.ts).
    if (count > 0) await this.db.query(`NOTIFY ${WAKE_CHANNEL}`);
    return count;
  }

  async claim(leaseMs: number, minIntervalMs: number): Promise<ClaimedSync | null> {
    const [rows] = await this.db.query<[{ id: string; full: boolean; requested_at: Date }[], number]>(
      `WITH next AS (
         SELECT id, full_sync_requested, COALESCE(sync_requested_at, safety_sync_at) AS requested_at FROM members
         WHERE status = 'active'
           AND (sync_requested_at IS NOT NULL OR safety_sync_at <= now())
           AND (sync_lease_until IS NULL OR sync_lease_until < now())
           AND (next_sync_at IS NULL OR next_sync_at <= now())
         ORDER BY COALESCE(sync_requested_at, safety_sync_at)
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE members m
       SET full_sync_requested = false, sync_started_at = now(),
           sync_lease_until = now() + $1 * interval '1 millisecond',
           next_sync_at = now() + $2 * interval '1 millisecond'
       FROM next WHERE m.id = next.id
       RETURNING m.id, next.full_sync_requested AS full, next.requested_at`,
      [leaseMs, minIntervalMs],
    );
    const row = rows[0];
    return row === undefined ? null : { memberId: row.id, full: row.full, requestedAt: row.requested_at };
  }

  async extendLease(memberId: string, leaseMs: number): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_lease_until = now() + $2 * interval '1 millisecond' WHERE id = $1`,
      [memberId, leaseMs],
    );
  }

  async finish(memberId: string, failure: { retryAt: Date } | null): Promise<void> {
    // A request is served by a sync that started after it; one made during the sync stays for the next one.
    // Requests are cleared here, not when claimed, so that a crash mid-sync leaves them for another worker.
    await this.db.query(
      `UPDATE members SET sync_lease_until = NULL,
              sync_requested_at = CASE WHEN $2::timestamptz IS NULL AND sync_requested_at <= sync_started_at
                                       THEN NULL ELSE sync_requested_at END,
              safety_sync_at = CASE WHEN $2::timestamptz IS NULL AND safety_sync_at <= sync_started_at
                                    THEN NULL ELSE safety_sync_at END,
              sync_failures = CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE sync_failures + 1 END,
              next_sync_at = CASE WHEN $2::timestamptz IS NULL THEN next_sync_at
                                  ELSE GREATEST(COALESCE(next_sync_at, $2::timestamptz), $2::timestamptz) END
       WHERE id = $1`,
      [memberId, failure?.retryAt ?? null],
    );
  }

  /** Single-instance start (embedded database): every lease is a leftover of a crash, release them now. */
  async releaseAllLeases(): Promise<void> {
    await this.db.query(`UPDATE members SET sync_lease_until = NULL, channel_claimed_until = NULL`);
  }

  async nextDueAt(): Promise<Date | null> {
    const rows = await this.db.query<{ due: Date | null }[]>(
      `SELECT min(GREATEST(
                 CASE WHEN sync_requested_at IS NOT NULL THEN now() ELSE safety_sync_at END,
                 COALESCE(next_sync_at, now()), COALESCE(sync_lease_until, now()))) AS due
       FROM members
       WHERE status = 'active' AND (sync_requested_at IS NOT NULL OR safety_sync_at IS NOT NULL)`,
    );
    return rows[0]?.due ?? null;
  }
}
