import type { EntityManager } from 'typeorm';

import { SyncLeaseLostError } from '../../application/errors';
import type { ClaimedSync, SyncLease, SyncQueue } from '../../application/ports/sync-queue.port';
import { WAKE_CHANNEL } from './pg-wake-channel';

/**
 * The instant a sync request is recorded at, in an UPDATE of `members`: now(), or just after the start of a sync
 * claimed at that same instant. The embedded database's clock counts milliseconds, so a request made while a sync
 * runs can share its start's instant, and `finish` would take it for one that the sync served.
 */
export const REQUESTED_NOW = `CASE WHEN sync_started_at = now() THEN now() + interval '1 microsecond' ELSE now() END`;

/**
 * The sync flags, the lease and the sync token live on the member row; times come from the database clock, shared
 * by every instance. A lease is `sync_lease_owner`: every write below that belongs to a sync names its owner.
 */
export class TypeOrmSyncQueue implements SyncQueue {
  constructor(private readonly db: EntityManager) {}

  async request(memberId: string, full: boolean): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_requested_at = ${REQUESTED_NOW}, full_sync_requested = full_sync_requested OR $2
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
    // LISTEN/NOTIFY on a server), they wait for the first due time instead of starting the calendars due in the
    // period's first seconds all together when they next look.
    if (count > 0) await this.db.query(`NOTIFY ${WAKE_CHANNEL}`);
    return count;
  }

  async claim(owner: string, leaseMs: number, minIntervalMs: number): Promise<ClaimedSync | null> {
    // The full-sync flag is read, not cleared: it stays until a full sync begins (beginFullSync), so a worker that
    // dies between the claim and that start leaves it for the next one. A full sync is also due 23 hours after the
    // last began: the window moves, and occurrences entering it are recorded within a day (hourly safety syncs).
    const [rows] = await this.db.query<[{ id: string; full: boolean; requested_at: Date }[], number]>(
      `WITH next AS (
         SELECT id,
                full_sync_requested OR last_full_sync_at IS NULL
                  OR last_full_sync_at < now() - interval '23 hours' AS full_sync_requested,
                COALESCE(sync_requested_at, safety_sync_at) AS requested_at FROM members
         WHERE status = 'active'
           AND (sync_requested_at IS NOT NULL OR safety_sync_at <= now())
           AND (sync_lease_until IS NULL OR sync_lease_until < now())
           AND (next_sync_at IS NULL OR next_sync_at <= now())
         ORDER BY COALESCE(sync_requested_at, safety_sync_at)
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE members m
       SET sync_started_at = now(), sync_lease_owner = $3,
           sync_lease_until = now() + $1 * interval '1 millisecond',
           next_sync_at = now() + $2 * interval '1 millisecond'
       FROM next WHERE m.id = next.id
       RETURNING m.id, next.full_sync_requested AS full, next.requested_at`,
      [leaseMs, minIntervalMs, owner],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : { lease: { memberId: row.id, owner }, full: row.full, requestedAt: row.requested_at };
  }

  async acquire(memberId: string, owner: string, leaseMs: number): Promise<SyncLease | null> {
    const [rows] = await this.db.query<[{ id: string }[], number]>(
      `UPDATE members SET sync_lease_owner = $2, sync_lease_until = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND (sync_lease_until IS NULL OR sync_lease_until < now())
       RETURNING id`,
      [memberId, owner, leaseMs],
    );
    return rows.length === 1 ? { memberId, owner } : null;
  }

  async extendLease(lease: SyncLease, leaseMs: number): Promise<boolean> {
    const [, count] = await this.db.query<[unknown, number]>(
      `UPDATE members SET sync_lease_until = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND sync_lease_owner = $2`,
      [lease.memberId, lease.owner, leaseMs],
    );
    return count === 1;
  }

  async finish(lease: SyncLease, failure: { retryAt: Date } | null): Promise<void> {
    // A request is served by a sync that started after it; one made during the sync stays for the next one.
    // Requests are cleared here, not when claimed, so that a crash mid-sync leaves them for another worker.
    await this.db.query(
      `UPDATE members SET sync_lease_until = NULL, sync_lease_owner = NULL,
              sync_requested_at = CASE WHEN $3::timestamptz IS NULL AND sync_requested_at <= sync_started_at
                                       THEN NULL ELSE sync_requested_at END,
              safety_sync_at = CASE WHEN $3::timestamptz IS NULL AND safety_sync_at <= sync_started_at
                                    THEN NULL ELSE safety_sync_at END,
              sync_failures = CASE WHEN $3::timestamptz IS NULL THEN 0 ELSE sync_failures + 1 END,
              next_sync_at = CASE WHEN $3::timestamptz IS NULL THEN next_sync_at
                                  ELSE GREATEST(COALESCE(next_sync_at, $3::timestamptz), $3::timestamptz) END
       WHERE id = $1 AND sync_lease_owner = $2`,
      [lease.memberId, lease.owner, failure?.retryAt ?? null],
    );
  }

  async release(lease: SyncLease): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_lease_until = NULL, sync_lease_owner = NULL
       WHERE id = $1 AND sync_lease_owner = $2`,
      [lease.memberId, lease.owner],
    );
  }

  async hold(lease: SyncLease): Promise<void> {
    // FOR KEY SHARE: pushes marking the calendar (FOR NO KEY UPDATE) are not held up by the page being written,
    // while a takeover (claim, FOR UPDATE SKIP LOCKED) and a Disconnect (MemberRepository.save, FOR UPDATE) wait
    // for it to commit, then find the lease gone.
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM members WHERE id = $1 AND sync_lease_owner = $2 AND status = 'active' FOR KEY SHARE`,
      [lease.memberId, lease.owner],
    );
    if (rows.length === 0) throw new SyncLeaseLostError('This sync no longer holds its calendar');
  }

  async beginFullSync(lease: SyncLease): Promise<number> {
    const [rows] = await this.db.query<[{ full_sync_generation: number }[], number]>(
      `UPDATE members SET sync_token = NULL, full_sync_requested = false, last_full_sync_at = now(),
              full_sync_generation = full_sync_generation + 1, updated_at = now()
       WHERE id = $1 AND sync_lease_owner = $2 AND status = 'active'
       RETURNING full_sync_generation`,
      [lease.memberId, lease.owner],
    );
    if (rows[0] === undefined) throw new SyncLeaseLostError('This sync no longer holds its calendar');
    return rows[0].full_sync_generation;
  }

  async completeSync(lease: SyncLease, syncToken: string, at: Date): Promise<void> {
    const [, count] = await this.db.query<[unknown, number]>(
      `UPDATE members SET sync_token = $3, last_sync_at = $4, updated_at = now()
       WHERE id = $1 AND sync_lease_owner = $2 AND status = 'active'`,
      [lease.memberId, lease.owner, syncToken, at],
    );
    if (count === 0) throw new SyncLeaseLostError('This sync no longer holds its calendar');
  }

  /** Single-instance start (embedded database): every lease is a leftover of a crash, release them now. */
  async releaseAllLeases(): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_lease_until = NULL, sync_lease_owner = NULL, channel_claimed_until = NULL`,
    );
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
