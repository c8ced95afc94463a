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

  async insert(channel: ChannelRef & { expiresAt: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO channels (id, member_id, resource_id, expires_at) VALUES ($1, $2, $3, $4)`,
      [channel.id, channel.memberId, channel.resourceId, channel.expiresAt],
    );
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
    const rows = await this.db.query<ChannelRow[]>(
      `SELECT id, member_id, resource_id FROM channels
       WHERE superseded_at IS NOT NULL AND stopped_at IS NULL AND expires_at > now()
       ORDER BY superseded_at LIMIT $1`,
      [limit],
    );
    return rows.map(toRef);
  }

  async unstopped(memberId: string): Promise<ChannelRef[]> {
    const rows = await this.db.query<ChannelRow[]>(
      `SELECT id, member_id, resource_id FROM channels WHERE member_id = $1 AND stopped_at IS NULL AND expires_at > now()`,
      [memberId],
    );
    return rows.map(toRef);
  }

  async claimMembersToRenew(renewBefore: Date, leaseMs: number, limit: number): Promise<string[]> {
    const [rows] = await this.db.query<[{ id: string }[], number]>(
      `WITH due AS (
         SELECT m.id FROM members m
         WHERE m.status = 'active' AND m.credentials IS NOT NULL
           AND (m.channel_claimed_until IS NULL OR m.channel_claimed_until < now())
           AND NOT EXISTS (
             SELECT 1 FROM channels c
             WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.expires_at > $1::timestamptz)
         ORDER BY m.id
         LIMIT $3::int
         FOR UPDATE SKIP LOCKED
       )
       UPDATE members m SET channel_claimed_until = now() + $2::int * interval '1 millisecond'
       FROM due WHERE m.id = due.id
       RETURNING m.id`,
      [renewBefore, leaseMs, limit],
    );
    return rows.map((row) => row.id);
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
         -- Rows locked in id order: concurrent batches (of other instances) then never deadlock.
         SELECT id FROM members
         WHERE status = 'active' AND id IN (SELECT member_id FROM live WHERE mark)
         ORDER BY id
         FOR UPDATE
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
