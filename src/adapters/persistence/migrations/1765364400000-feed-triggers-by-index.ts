import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The interaction `i` as a change carries it, its meeting's part read from `meeting` (a row of meetings). */
const snapshot = (meeting: string) => `jsonb_build_object(
  'id', i.id, 'accountId', i.account_id, 'matchedBy', i.matched_by, 'startTime', i.start_time,
  'date', i.local_date, 'title', ${meeting}.title, 'private', ${meeting}.private,
  'durationMinutes', ${meeting}.duration_minutes, 'participants', ${meeting}.participants)`;

/** Its meeting looked up by primary key, once per interaction of the statement. */
const SNAPSHOT_BY_KEY = `(SELECT ${snapshot('m')} FROM meetings m WHERE m.id = i.meeting_id)`;

const MERGE = `ON CONFLICT (xid, interaction_id) DO UPDATE
  SET type = CASE
        WHEN interaction_changes.type = 'interaction.created' THEN interaction_changes.type
        WHEN interaction_changes.type = 'interaction.deleted' AND EXCLUDED.type = 'interaction.created'
          THEN 'interaction.updated'
        ELSE EXCLUDED.type END,
      account_id = EXCLUDED.account_id, data = EXCLUDED.data`;

const TX = `pg_current_xact_id()::text::bigint`;

/** A statement trigger's function recording the changes `select` yields (xid, type, interaction, account, data). */
const feedFunction = (name: string, select: string) => `
  CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
    ${select}
    ${MERGE};
    IF FOUND THEN PERFORM pg_notify('interaction_changes', ''); END IF;
    RETURN NULL;
  END
  $$`;

const INTERACTION_CHANGED = `(o.matched_by, o.start_time, o.local_date, o.account_id)
  IS DISTINCT FROM (i.matched_by, i.start_time, i.local_date, i.account_id)`;
const MEETING_CHANGED = `(o.title, o.private, o.start_time, o.duration_minutes, o.local_date, o.participants)
  IS DISTINCT FROM (m.title, m.private, m.start_time, m.duration_minutes, m.local_date, m.participants)`;

/**
 * The change feed's triggers, reading meetings and interactions by index. A transition table carries no
 * statistics beyond its size, and joined to meetings (or interactions) the planner chose a hash join over the whole
 * table: every page of a sync read every meeting, and a changed meeting every interaction, a cost that grows with
 * the database (at 6,500 meetings, hashing all of them took 10 ms of a 34 ms feed insert). A scalar subquery
 * (one meeting per interaction) and a fenced LATERAL (`OFFSET 0`: the interactions of each changed meeting) keep
 * the work to the rows the statement changed. What the triggers record is unchanged.
 */
export class FeedTriggersByIndex1765364400000 implements MigrationInterface {
  name = 'FeedTriggersByIndex1765364400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      feedFunction(
        'interactions_inserted',
        `SELECT ${TX}, 'interaction.created', i.id, i.account_id, ${SNAPSHOT_BY_KEY} FROM inserted i`,
      ),
    );
    await queryRunner.query(
      feedFunction(
        'interactions_updated',
        `SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${SNAPSHOT_BY_KEY}
         FROM new_rows i JOIN old_rows o ON o.id = i.id
         WHERE ${INTERACTION_CHANGED}`,
      ),
    );
    await queryRunner.query(
      feedFunction(
        'meetings_updated',
        `SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${snapshot('m')}
         FROM new_rows m JOIN old_rows o ON o.id = m.id
         CROSS JOIN LATERAL (
           SELECT id, account_id, matched_by, start_time, local_date FROM interactions WHERE meeting_id = m.id OFFSET 0
         ) i
         WHERE ${MEETING_CHANGED}`,
      ),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The joins of SetBasedChangeFeed1764842400000.
    await queryRunner.query(
      feedFunction(
        'interactions_inserted',
        `SELECT ${TX}, 'interaction.created', i.id, i.account_id, ${snapshot('m')}
         FROM inserted i JOIN meetings m ON m.id = i.meeting_id`,
      ),
    );
    await queryRunner.query(
      feedFunction(
        'interactions_updated',
        `SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${snapshot('m')}
         FROM new_rows i JOIN old_rows o ON o.id = i.id JOIN meetings m ON m.id = i.meeting_id
         WHERE ${INTERACTION_CHANGED}`,
      ),
    );
    await queryRunner.query(
      feedFunction(
        'meetings_updated',
        `SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${snapshot('m')}
         FROM new_rows m JOIN old_rows o ON o.id = m.id JOIN interactions i ON i.meeting_id = m.id
         WHERE ${MEETING_CHANGED}`,
      ),
    );
  }
}
