import type { EntityManager } from 'typeorm';

import type {
  ChannelRef,
  ChannelRepository,
  NotificationAcceptance,
  NotificationCheck,
} from '../../application/ports/channel-repository.port';
import { CURRENT_CHANNEL } from './channel-sql';
import { HAS_GRANT } from './typeorm-member.repository';
import { REQUESTED_NOW } from './typeorm-sync-queue';

interface ChannelRow {
  id: string;
  member_id: string;
  resource_id: string;
}

/** How long a channel may wait for Google's answer to the watch call before it lapses. */
const PENDING_CHANNEL_MINUTES = 10;

const toRef = (row: ChannelRow): ChannelRef => ({
  id: row.id,
  memberId: row.member_id,
  resourceId: row.resource_id,
});

/** A channel is live while it is neither stopped nor expired (by the database clock, shared by all instances). */
export class TypeOrmChannelRepository implements ChannelRepository {
  constructor(
    private readonly db: EntityManager,
    /** Told after a channel was stopped: pushes accepted without the database (PushHolds) must stop at once. */
    private readonly stopped: () => void = () => undefined,
  ) {}

  async reserve(channel: { id: string; memberId: string }, connectionVersion: number): Promise<boolean> {
    // FOR KEY SHARE waits for a Disconnect being saved, then sees the version it moved. The row lives until Google
    // answers (a pending channel accepts only its sync message), or lapses if the answer never comes.
    const rows = await this.db.query<{ id: string }[]>(
      `WITH member AS (
         SELECT id FROM members WHERE id = $2 AND version = $3 AND status = 'active' FOR KEY SHARE
       )
       INSERT INTO channels (id, member_id, resource_id, expires_at)
       SELECT $1::uuid, id, NULL, now() + $4::int * interval '1 minute' FROM member
       RETURNING id`,
      [channel.id, channel.memberId, connectionVersion, PENDING_CHANNEL_MINUTES],
    );
    return rows.length === 1;
  }

  async confirm(channel: ChannelRef & { expiresAt: Date }): Promise<boolean> {
    // A channel stored ends the claim of whoever was opening it (a sign-in's: see MemberRepository.enrol; a
    // renewal's) and its run of failures.
    const [rows] = await this.db.query<[{ id: string }[], number]>(
      `WITH confirmed AS (
         UPDATE channels SET resource_id = $2, expires_at = $3
         WHERE id = $1 AND stopped_at IS NULL AND resource_id IS NULL
         RETURNING member_id
       )
       UPDATE members SET channel_claimed_until = NULL, channel_failures = 0
       WHERE id IN (SELECT member_id FROM confirmed)
       RETURNING id`,
      [channel.id, channel.resourceId, channel.expiresAt],
    );
    return rows.length === 1;
  }

  async abandon(id: string): Promise<void> {
    await this.db.query(`DELETE FROM channels WHERE id = $1 AND resource_id IS NULL`, [id]);
  }

  async supersedeOthers(memberId: string, keepId: string): Promise<(ChannelRef & { wasLive: boolean })[]> {
    const [rows] = await this.db.query<[(ChannelRow & { was_live: boolean })[], number]>(
      `WITH before AS (
         SELECT c.id, (${CURRENT_CHANNEL} AND c.expires_at > now()) AS was_live FROM channels c
         WHERE c.member_id = $1 AND c.id <> $2 AND c.stopped_at IS NULL AND c.resource_id IS NOT NULL
           -- Only older ones: two channels opened at once for one member must not replace each other.
           AND (c.created_at, c.id) < (SELECT k.created_at, k.id FROM channels k WHERE k.id = $2)
         ORDER BY c.id
         FOR UPDATE
       )
       UPDATE channels c SET superseded_at = COALESCE(c.superseded_at, now()) FROM before
       WHERE c.id = before.id
       RETURNING c.id, c.member_id, c.resource_id, before.was_live`,
      [memberId, keepId],
    );
    return rows.map((row) => ({ ...toRef(row), wasLive: row.was_live }));
  }

  async markStopped(id: string): Promise<void> {
    await this.db.query(
      `UPDATE channels SET stopped_at = now(), superseded_at = COALESCE(superseded_at, now()), stop_error = NULL
       WHERE id = $1`,
      [id],
    );
    this.stopped();
  }

  async recordStopFailure(id: string, message: string): Promise<void> {
    await this.db.query(`UPDATE channels SET stop_error = $2 WHERE id = $1`, [id, message]);
  }

  async stopBacklog(limit: number): Promise<ChannelRef[]> {
    // Stops that failed, or that a crash left undone (a minute on); not those the renewal that superseded the
    // channel is making right now, which would be stopped twice.
    const rows = await this.db.query<ChannelRow[]>(
      `SELECT id, member_id, resource_id FROM channels
       WHERE superseded_at IS NOT NULL AND stopped_at IS NULL AND expires_at > now()
         AND (stop_error IS NOT NULL OR superseded_at < now() - interval '1 minute')
       ORDER BY superseded_at LIMIT $1`,
      [limit],
    );
    return rows.map(toRef);
  }

  async stopAll(memberId: string): Promise<ChannelRef[]> {
    // Pending ones too: their opening then finds them stopped and stops them at Google itself.
    const rows = await this.db.query<ChannelRow[]>(
      `WITH stopped AS (
         UPDATE channels SET stopped_at = now(), superseded_at = COALESCE(superseded_at, now())
         WHERE member_id = $1 AND stopped_at IS NULL
         RETURNING id, member_id, resource_id
       )
       SELECT * FROM stopped WHERE resource_id IS NOT NULL`,
      [memberId],
    );
    this.stopped();
    return rows.map(toRef);
  }

  async claimMembersToRenew(
    renewBefore: Date,
    leaseMs: number,
    limit: number,
    exclude: readonly string[],
  ): Promise<string[]> {
    // Due: active, with a grant, not claimed, not excluded ($2), and no live channel lasting beyond
    // `renewBefore` ($1).
    const claimable = `m.status = 'active' AND ${HAS_GRANT} AND NOT (m.id = ANY($2::uuid[]))
      AND (m.channel_claimed_until IS NULL OR m.channel_claimed_until < now())`;
    const due = `${claimable}
      AND NOT EXISTS (
        SELECT 1 FROM channels c
        WHERE c.member_id = m.id AND ${CURRENT_CHANNEL} AND c.expires_at > $1::timestamptz)`;
    // Two statements, so that the second looks at the channels again after the first has locked the members:
    // within one statement the channels are those of its start, and a member that another instance renewed and
    // released meanwhile would be renewed twice (locking re-checks the member row's new version, not its channels).
    return this.db.transaction(async (tx) => {
      // Most urgent first: live channels in the second half of their renewal window (about to lapse), then
      // members without a live channel (in a gap already, or never given one), then the rest, each by expiry. A
      // run falling behind (channels coming due faster than it renews them, many members at once without one, or
      // a Google budget shared with the syncs) then lets no channel lapse while others renew early, and a flood of
      // first channels does not hold up a renewal until its channel has lapsed. Here `due` is read from each
      // member's latest live channel (one probe of channels_live_by_member_idx) rather than by NOT EXISTS, which
      // the planner turned into a scan of every live channel per member on tables not analyzed yet.
      const locked = await tx.query<{ id: string }[]>(
        `SELECT m.id FROM members m
         CROSS JOIN LATERAL (
           SELECT max(c.expires_at) AS expires_at FROM channels c
           WHERE c.member_id = m.id AND ${CURRENT_CHANNEL} AND c.expires_at > now()
         ) live
         WHERE ${claimable} AND (live.expires_at IS NULL OR live.expires_at <= $1::timestamptz)
         ORDER BY CASE WHEN live.expires_at < now() + ($1::timestamptz - now()) / 2 THEN 0
                       WHEN live.expires_at IS NULL THEN 1 ELSE 2 END,
                  live.expires_at, m.id
         LIMIT $3::int
         FOR NO KEY UPDATE OF m SKIP LOCKED`,
        [renewBefore, exclude, limit],
      );
      if (locked.length === 0) return [];
      const [rows] = await tx.query<[{ id: string }[], number]>(
        `UPDATE members m SET channel_claimed_until = now() + $3::int * interval '1 millisecond'
         WHERE m.id = ANY($4::uuid[]) AND ${due}
         RETURNING m.id`,
        [renewBefore, exclude, leaseMs, locked.map((row) => row.id)],
      );
      return rows.map((row) => row.id);
    });
  }

  async releaseMember(memberId: string): Promise<void> {
    await this.db.query(`UPDATE members SET channel_claimed_until = NULL WHERE id = $1`, [memberId]);
  }

  async deferMember(memberId: string): Promise<void> {
    // 10 minutes after a first failure (the next run of the default RENEW_CRON), doubling up to 6 hours.
    await this.db.query(
      `UPDATE members
       SET channel_failures = channel_failures + 1,
           channel_claimed_until = now() + LEAST(interval '6 hours', interval '10 minutes' * 2 ^ channel_failures)
       WHERE id = $1`,
      [memberId],
    );
  }

  async acceptNotifications(batch: readonly NotificationCheck[]): Promise<NotificationAcceptance> {
    if (batch.length === 0) return { live: new Set(), marked: 0, holds: new Map() };
    // One statement for the whole batch: which channels are live for that resource, and their calendars marked.
    const rows = await this.db.query<
      { id: string; resource_id: string | null; marked: number; hold_ms: number }[]
    >(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bool[]) AS i(channel_id, resource_id, mark)
       ), live AS (
         -- A channel Google has not answered the watch call for yet takes only its sync message.
         SELECT DISTINCT c.id, c.member_id, c.resource_id, c.expires_at, i.mark FROM input i
         JOIN channels c ON c.id = i.channel_id
           AND (c.resource_id = i.resource_id OR (c.resource_id IS NULL AND NOT i.mark))
         WHERE c.stopped_at IS NULL AND c.expires_at > now()
       ), locked AS (
         -- Rows locked in id order: concurrent batches (of other instances) then never deadlock. NO KEY UPDATE
         -- does not wait for a sync page being written (it holds the row FOR KEY SHARE).
         -- A calendar already marked since its last sync started is left as it is: no sync has begun since that
         -- mark, so the next one lists Google after this push anyway. A busy calendar's pushes then cost a read,
         -- not a row update and a commit each.
         SELECT id FROM members
         WHERE status = 'active' AND id IN (SELECT member_id FROM live WHERE mark)
           AND NOT (sync_requested_at IS NOT NULL
                    AND (sync_started_at IS NULL OR sync_requested_at > sync_started_at))
         ORDER BY id
         FOR NO KEY UPDATE
       ), marked AS (
         UPDATE members m SET sync_requested_at = ${REQUESTED_NOW} FROM locked WHERE m.id = locked.id
         RETURNING m.id, m.sync_requested_at, m.sync_started_at, m.next_sync_at
       ), state AS (
         -- Each member as it is now: the new row where this statement marked it, else this statement's snapshot
         -- (a sync claimed since then started at or after the next_sync_at read here, so a hold ending there holds).
         SELECT id, sync_requested_at, sync_started_at, next_sync_at FROM marked
         UNION ALL
         SELECT id, sync_requested_at, sync_started_at, next_sync_at FROM members
         WHERE status = 'active' AND id IN (SELECT member_id FROM live)
           AND id NOT IN (SELECT id FROM marked)
       )
       SELECT DISTINCT ON (l.id) l.id, l.resource_id, (SELECT count(*) FROM marked)::int AS marked,
              CASE WHEN s.sync_requested_at > s.sync_started_at AND s.next_sync_at > now()
                     AND l.resource_id IS NOT NULL
                   THEN floor(1000 * extract(epoch FROM LEAST(s.next_sync_at, l.expires_at) - now()))::int
                   ELSE 0 END AS hold_ms
       FROM live l LEFT JOIN state s ON s.id = l.member_id
       ORDER BY l.id`,
      [batch.map((n) => n.channelId), batch.map((n) => n.resourceId), batch.map((n) => n.markForSync)],
    );
    const holds = new Map<string, { resourceId: string; ms: number }>();
    for (const row of rows)
      if (row.hold_ms > 0 && row.resource_id !== null)
        holds.set(row.id, { resourceId: row.resource_id, ms: row.hold_ms });
    return { live: new Set(rows.map((row) => row.id)), marked: rows[0]?.marked ?? 0, holds };
  }
}
