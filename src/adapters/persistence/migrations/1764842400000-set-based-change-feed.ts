import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The change a trigger records: the interaction as GET .../interactions renders it (`i`: the row, `m`: its meeting). */
const SNAPSHOT = `jsonb_build_object(
  'id', i.id, 'accountId', i.account_id, 'matchedBy', i.matched_by, 'startTime', i.start_time,
  'date', i.local_date, 'title', m.title, 'private', m.private, 'durationMinutes', m.duration_minutes,
  'participants', m.participants)`;

/**
 * One change per interaction and transaction, holding its final state: created then changed is created, deleted
 * then created again is changed (created then deleted is removed by the delete trigger before this applies).
 */
const MERGE = `ON CONFLICT (xid, interaction_id) DO UPDATE
  SET type = CASE
        WHEN interaction_changes.type = 'interaction.created' THEN interaction_changes.type
        WHEN interaction_changes.type = 'interaction.deleted' AND EXCLUDED.type = 'interaction.created'
          THEN 'interaction.updated'
        ELSE EXCLUDED.type END,
      account_id = EXCLUDED.account_id, data = EXCLUDED.data`;

const TX = `pg_current_xact_id()::text::bigint`;

/**
 * The change feed's triggers, once per statement instead of once per row: a page of a first sync inserts ~1,400
 * interactions in one statement, and the row triggers ran a lookup, an insert and a snapshot query for each
 * (200-460 ms of the page's statement on PostgreSQL). The rules (CONTRACT.md "Interactions out") are unchanged;
 * the transition tables give the statement's rows, written to the feed in one set-based insert.
 */
export class SetBasedChangeFeed1764842400000 implements MigrationInterface {
  name = 'SetBasedChangeFeed1764842400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER interactions_change_feed ON interactions`);
    await queryRunner.query(`DROP TRIGGER meetings_change_feed ON meetings`);
    await queryRunner.query(`DROP FUNCTION interactions_changed()`);
    await queryRunner.query(`DROP FUNCTION meeting_interactions_changed()`);

    // pg_notify is delivered at commit, once per transaction: it wakes the feed's readers and the webhook workers.
    await queryRunner.query(`
      CREATE FUNCTION interactions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
        SELECT ${TX}, 'interaction.created', i.id, i.account_id, ${SNAPSHOT}
        FROM inserted i JOIN meetings m ON m.id = i.meeting_id
        ${MERGE};
        IF FOUND THEN PERFORM pg_notify('interaction_changes', ''); END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION interactions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
        SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${SNAPSHOT}
        FROM new_rows i JOIN old_rows o ON o.id = i.id JOIN meetings m ON m.id = i.meeting_id
        WHERE (o.matched_by, o.start_time, o.local_date, o.account_id)
              IS DISTINCT FROM (i.matched_by, i.start_time, i.local_date, i.account_id)
        ${MERGE};
        IF FOUND THEN PERFORM pg_notify('interaction_changes', ''); END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION interactions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Created and deleted in the same transaction: nothing to tell.
        WITH dropped AS (
          DELETE FROM interaction_changes c USING deleted d
          WHERE c.xid = ${TX} AND c.interaction_id = d.id AND c.type = 'interaction.created'
          RETURNING c.interaction_id
        )
        INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
        SELECT ${TX}, 'interaction.deleted', d.id, d.account_id, jsonb_build_object('id', d.id, 'accountId', d.account_id)
        FROM deleted d WHERE d.id NOT IN (SELECT interaction_id FROM dropped)
        ${MERGE};
        IF EXISTS (SELECT 1 FROM deleted) THEN PERFORM pg_notify('interaction_changes', ''); END IF;
        RETURN NULL;
      END
      $$`);
    // A meeting's title, time, privacy or participants are part of each of its interactions.
    await queryRunner.query(`
      CREATE FUNCTION meetings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
        SELECT ${TX}, 'interaction.updated', i.id, i.account_id, ${SNAPSHOT}
        FROM new_rows m JOIN old_rows o ON o.id = m.id JOIN interactions i ON i.meeting_id = m.id
        WHERE (o.title, o.private, o.start_time, o.duration_minutes, o.local_date, o.participants)
              IS DISTINCT FROM (m.title, m.private, m.start_time, m.duration_minutes, m.local_date, m.participants)
        ${MERGE};
        IF FOUND THEN PERFORM pg_notify('interaction_changes', ''); END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER interactions_inserted_feed AFTER INSERT ON interactions
       REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION interactions_inserted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER interactions_updated_feed AFTER UPDATE ON interactions
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION interactions_updated()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER interactions_deleted_feed AFTER DELETE ON interactions
       REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION interactions_deleted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER meetings_updated_feed AFTER UPDATE ON meetings
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_updated()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER meetings_updated_feed ON meetings`);
    await queryRunner.query(`DROP TRIGGER interactions_deleted_feed ON interactions`);
    await queryRunner.query(`DROP TRIGGER interactions_updated_feed ON interactions`);
    await queryRunner.query(`DROP TRIGGER interactions_inserted_feed ON interactions`);
    await queryRunner.query(`DROP FUNCTION meetings_updated()`);
    await queryRunner.query(`DROP FUNCTION interactions_deleted()`);
    await queryRunner.query(`DROP FUNCTION interactions_updated()`);
    await queryRunner.query(`DROP FUNCTION interactions_inserted()`);
    // The row triggers of InteractionsOut1764669600000, over its functions (still in place).
    await queryRunner.query(`
      CREATE FUNCTION interactions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM record_interaction_change('interaction.deleted', OLD.id, OLD.account_id,
            jsonb_build_object('id', OLD.id, 'accountId', OLD.account_id));
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM record_interaction_change('interaction.created', NEW.id, NEW.account_id, interaction_snapshot(NEW.id));
        ELSIF (OLD.matched_by, OLD.start_time, OLD.local_date, OLD.account_id)
              IS DISTINCT FROM (NEW.matched_by, NEW.start_time, NEW.local_date, NEW.account_id) THEN
          PERFORM record_interaction_change('interaction.updated', NEW.id, NEW.account_id, interaction_snapshot(NEW.id));
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER interactions_change_feed AFTER INSERT OR UPDATE OR DELETE ON interactions
       FOR EACH ROW EXECUTE FUNCTION interactions_changed()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION meeting_interactions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed record;
      BEGIN
        FOR changed IN SELECT id, account_id FROM interactions WHERE meeting_id = NEW.id LOOP
          PERFORM record_interaction_change('interaction.updated', changed.id, changed.account_id,
            interaction_snapshot(changed.id));
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER meetings_change_feed AFTER UPDATE ON meetings FOR EACH ROW
       WHEN ((OLD.title, OLD.private, OLD.start_time, OLD.duration_minutes, OLD.local_date, OLD.participants)
             IS DISTINCT FROM (NEW.title, NEW.private, NEW.start_time, NEW.duration_minutes, NEW.local_date, NEW.participants))
       EXECUTE FUNCTION meeting_interactions_changed()`,
    );
  }
}
