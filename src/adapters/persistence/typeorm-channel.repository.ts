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
    // A live channel stored ends the claim of whoever was opening it (a sign-in's: see MemberRepository.connect);
    // a renewal run also releases its claim when done.
    await this.db.query(
      `WITH stored AS (
         INSERT INTO channels (id, member_id, resource_id, expires_at) VALUES ($1, $2, $3, $4)
       )
       UPDATE members SET channel_claimed_until = NULL WHERE id = $2`,
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
    // Stops that failed, or that a crash left undone (a minute on): not those the renewal that superseded the
    // channel is making now, which another run stopped a second time (found by test/reliability/scale.spec.ts).
    const rows = await this.db.query<ChannelRow[]>(
      `SELECT id, member_id, resource_id FROM channels
       WHERE superseded_at IS NOT NULL AND stopped_at IS NULL AND expires_at > now()
         AND (stop_error IS NOT NULL OR superseded_at < now() - interval '1 minute')
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
    // Due: active, with credentials, not claimed, and no live channel lasting beyond `renewBefore`.
    const due = `m.status = 'active' AND m.credentials IS NOT NULL
      AND (m.channel_claimed_until IS NULL OR m.channel_claimed_until < now())
      AND NOT EXISTS (
        SELECT 1 FROM channels c
        WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.expires_at > $1::timestamptz)`;
    // Two statements, so that the second looks at the channels again after the first has locked the members.
    // In one, the channels were those of the statement's start: when another instance renewed a member and
    // released it meanwhile, the lock then went through (the row's new version is re-checked, but not the
    // channels), and the member was renewed a second time (found by test/reliability/scale.spec.ts).
    return this.db.transaction(async (tx) => {
      // Most urgent first: members without a live channel (in a gap already, or never given one), then those
      // whose channel expires soonest. In id order, as before, a run falling behind (channels coming due faster
      // than it renews them, or a Google budget shared with the syncs) renewed the low ids again and again while
      // the channels of higher ids lapsed (found by test/reliability/scale.spec.ts).
      const locked = await tx.query<{ id: string }[]>(
        `SELECT m.id FROM members m
         WHERE ${due}
         ORDER BY (
           SELECT max(c.expires_at) FROM channels c
           WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.superseded_at IS NULL AND c.expires_at > now()
         ) ASC NULLS FIRST, m.id
         LIMIT $2::int
         FOR UPDATE OF m SKIP LOCKED`,
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
