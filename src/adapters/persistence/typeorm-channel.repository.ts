import type { EntityManager } from 'typeorm';

import type {
  ChannelRef,
  ChannelRepository,
  NotificationCheck,
} from '../../application/ports/channel-repository.port';

interface ChannelRow {
  id: string;
  member_id: string;
  resource_id: string;
}

const toRef = (row: ChannelRow): ChannelRef => ({
  id: row.id,
  memberId: row.member_id,
  resourceId: row.resource_id,
});

/** A channel is live while it is neither stopped nor expired (by the database clock, shared by all instances). */
export class TypeOrmChannelRepository implements ChannelRepository {
  constructor(private readonly db: EntityManager) {}

  async insert(channel: ChannelRef & { expiresAt: Date }, connectionVersion: number): Promise<boolean> {
    // A live channel stored ends the claim of whoever was opening it (a sign-in's: see MemberRepository.enrol);
    // a renewal run also releases its claim when done. FOR KEY SHARE waits for a Disconnect being saved.
    const [rows] = await this.db.query<[{ id: string }[], number]>(
      `WITH member AS (
         SELECT id FROM members WHERE id = $2 AND version = $5 AND status = 'active' FOR KEY SHARE
       ), stored AS (
         INSERT INTO channels (id, member_id, resource_id, expires_at)
         SELECT $1::uuid, id, $3::text, $4::timestamptz FROM member
         RETURNING member_id
       )
       UPDATE members SET channel_claimed_until = NULL WHERE id IN (SELECT member_id FROM stored)
       RETURNING id`,
      [channel.id, channel.memberId, channel.resourceId, channel.expiresAt, connectionVersion],
    );
    return rows.length === 1;
  }

  async supersedeOthers(memberId: string, keepId: string): Promise<ChannelRef[]> {
    const [rows] = await this.db.query<[ChannelRow[], number]>(
      `UPDATE channels SET superseded_at = COALESCE(superseded_at, now())
       WHERE member_id = $1 AND id <> $2 AND stopped_at IS NULL
       RETURNING id, member_id, resource_id`,
      [memberId, keepId],
    );
    return rows.map(toRef);
  }

  async markStopped(id: string): Promise<void> {
    await this.db.query(
      `UPDATE channels SET stopped_at = now(), superseded_at = COALESCE(superseded_at, now()), stop_error = NULL
       WHERE id = $1`,
      [id],
    );
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
    const [rows] = await this.db.query<[ChannelRow[], number]>(
      `UPDATE channels SET stopped_at = now(), superseded_at = COALESCE(superseded_at, now())
       WHERE member_id = $1 AND stopped_at IS NULL
       RETURNING id, member_id, resource_id`,
      [memberId],
    );
    return rows.map(toRef);
  }

  async claimMembersToRenew(renewBefore: Date, leaseMs: number, limit: number): Promise<string[]> {
    // Due: active, with credentials, not claimed, and no live channel lasting beyond `renewBefore`.
    const due = `m.status = 'active' AND m.credentials IS NOT NULL
      AND (m.channel_claimed_until IS NULL OR m.channel_claimed_until < now())
      AND NOT EXISTS (
        SELECT 1 FROM channels c
        WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.expires_at > $1::timestamptz)`;
    // Two statements, so that the second looks at the channels again after the first has locked the members:
    // within one statement the channels are those of its start, and a member that another instance renewed and
    // released meanwhile would be renewed twice (locking re-checks the member row's new version, not its channels).
    return this.db.transaction(async (tx) => {
      // Most urgent first: members without a live channel (in a gap already, or never given one), then those
      // whose channel expires soonest, so that a run falling behind (channels coming due faster than it renews
      // them, or a Google budget shared with the syncs) lets no channel lapse while others renew early.
      const locked = await tx.query<{ id: string }[]>(
        `SELECT m.id FROM members m
         WHERE ${due}
         ORDER BY (
           SELECT max(c.expires_at) FROM channels c
           WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.expires_at > now()
         ) ASC NULLS FIRST, m.id
         LIMIT $2::int
         FOR NO KEY UPDATE OF m SKIP LOCKED`,
        [renewBefore, limit],
      );
      if (locked.length === 0) return [];
      const [rows] = await tx.query<[{ id: string }[], number]>(
        `UPDATE members m SET channel_claimed_until = now() + $2::int * interval '1 millisecond'
         WHERE m.id = ANY($3::uuid[]) AND ${due}
         RETURNING m.id`,
        [renewBefore, leaseMs, locked.map((row) => row.id)],
      );
      return rows.map((row) => row.id);
    });
  }

  async releaseMember(memberId: string): Promise<void> {
    await this.db.query(`UPDATE members SET channel_claimed_until = NULL WHERE id = $1`, [memberId]);
  }

  async acceptNotifications(batch: readonly NotificationCheck[]): Promise<Set<string>> {
    if (batch.length === 0) return new Set();
    // One statement for the whole batch: which channels are live for that resource, and their calendars marked.
    const rows = await this.db.query<{ id: string }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bool[]) AS i(channel_id, resource_id, mark)
       ), live AS (
         SELECT DISTINCT c.id, c.member_id, i.mark FROM input i
         JOIN channels c ON c.id = i.channel_id AND c.resource_id = i.resource_id
         WHERE c.stopped_at IS NULL AND c.expires_at > now()
       ), locked AS (
         -- Rows locked in id order: concurrent batches (of other instances) then never deadlock. NO KEY UPDATE
         -- does not wait for a sync page being written (it holds the row FOR KEY SHARE).
         SELECT id FROM members
         WHERE status = 'active' AND id IN (SELECT member_id FROM live WHERE mark)
         ORDER BY id
         FOR NO KEY UPDATE
       ), marked AS (
         UPDATE members m SET sync_requested_at = now() FROM locked WHERE m.id = locked.id
         RETURNING m.id
       )
       SELECT DISTINCT id FROM live`,
      [batch.map((n) => n.channelId), batch.map((n) => n.resourceId), batch.map((n) => n.markForSync)],
    );
    return new Set(rows.map((row) => row.id));
  }
}
