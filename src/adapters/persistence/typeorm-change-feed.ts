import type { EntityManager } from 'typeorm';

import { FeedPositionExpiredError } from '../../application/errors';
import type {
  ChangeFeed,
  ChangeType,
  FeedPosition,
  InteractionChange,
} from '../../application/ports/change-feed.port';
import { type InteractionRecord, toInteractionView } from './typeorm-meeting.repository';

interface ChangeRow {
  id: string;
  xid: string;
  seq: string;
  type: ChangeType;
  occurred_at: Date;
  data: InteractionRecord | { id: string; accountId: string };
}

/** Only transactions older than every one still running have ended: their changes can no longer appear. */
export const FINISHED_BOUND = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

export const CHANGE_COLUMNS = 'c.id, c.xid, c.seq, c.type, c.occurred_at, c.data';

export function toChange(row: ChangeRow): InteractionChange {
  return {
    id: row.id,
    type: row.type,
    occurredAt: row.occurred_at,
    data: row.type === 'interaction.deleted' ? row.data : toInteractionView(row.data as InteractionRecord),
    position: { xid: BigInt(row.xid), seq: BigInt(row.seq) },
  };
}

/**
 * The change feed over `interaction_changes` (written by triggers, see the migration): ordered by (xid, seq), and
 * only up to the oldest transaction still running, so that a change whose transaction commits late is never
 * skipped by a reader that went past later-numbered ones.
 */
export class TypeOrmChangeFeed implements ChangeFeed {
  constructor(private readonly db: EntityManager) {}

  async read(
    after: FeedPosition | null,
    limit: number,
  ): Promise<{ changes: InteractionChange[]; next: FeedPosition }> {
    const [state] = await this.db.query<{ pruned_xid: string; pruned_seq: string }[]>(
      `SELECT pruned_xid, pruned_seq FROM change_feed_state WHERE id = 1`,
    );
    const pruned = { xid: BigInt(state!.pruned_xid), seq: BigInt(state!.pruned_seq) };
    if (after !== null && before(after, pruned)) {
      throw new FeedPositionExpiredError(
        'This cursor is older than the changes kept (CHANGES_RETENTION_DAYS): read GET /api/interactions again',
      );
    }
    const from = after ?? pruned;
    const rows = await this.db.query<ChangeRow[]>(
      `SELECT ${CHANGE_COLUMNS} FROM interaction_changes c
       WHERE (c.xid, c.seq) > ($1::bigint, $2::bigint) AND c.xid < ${FINISHED_BOUND}
       ORDER BY c.xid, c.seq
       LIMIT $3`,
      [from.xid.toString(), from.seq.toString(), limit],
    );
    const changes = rows.map(toChange);
    return { changes, next: changes.at(-1)?.position ?? from };
  }

  async safePosition(): Promise<FeedPosition> {
    const [row] = await this.db.query<{ xmin: string }[]>(`SELECT ${FINISHED_BOUND} AS xmin`);
    return { xid: BigInt(row!.xmin), seq: -1n };
  }

  async prune(olderThan: Date): Promise<number> {
    // Up to the last change older than the cut, in feed order, so that the pruned part is one prefix of the feed;
    // never past a change an active webhook endpoint has still to receive, nor one a reader cannot see yet.
    const [rows] = await this.db.query<[{ pruned: number }[], number]>(
      `WITH cut AS (
         SELECT xid, seq FROM interaction_changes
         WHERE occurred_at < $1 AND xid < ${FINISHED_BOUND}
           AND (xid, seq) <= ALL (SELECT cursor_xid, cursor_seq FROM webhook_endpoints WHERE disabled_at IS NULL)
         ORDER BY xid DESC, seq DESC LIMIT 1
       ), gone AS (
         DELETE FROM interaction_changes c USING cut WHERE (c.xid, c.seq) <= (cut.xid, cut.seq) RETURNING 1
       ), attempts AS (
         DELETE FROM webhook_deliveries WHERE attempted_at < $1
       )
       UPDATE change_feed_state s SET pruned_xid = cut.xid, pruned_seq = cut.seq FROM cut
       WHERE s.id = 1
       RETURNING (SELECT count(*) FROM gone)::int AS pruned`,
      [olderThan],
    );
    return rows[0]?.pruned ?? 0;
  }
}

function before(a: FeedPosition, b: FeedPosition): boolean {
  return a.xid < b.xid || (a.xid === b.xid && a.seq < b.seq);
}
