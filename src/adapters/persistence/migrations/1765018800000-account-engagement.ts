import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The accounts list's figures kept per account (`account_engagement`), so that the list reads 20,000 rows instead
 * of aggregating every interaction at each request. Triggers note each account whose interactions, or whose
 * meetings' member copies, a statement changed (`engagement_dirty`, append-only: concurrent syncs never wait on
 * each other for it); readers compute noted accounts afresh until a refresh has recomputed them.
 */
export class AccountEngagement1765018800000 implements MigrationInterface {
  name = 'AccountEngagement1765018800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_engagement" ("account_id" text NOT NULL, "last_at" TIMESTAMP WITH TIME ZONE, "next_at" TIMESTAMP WITH TIME ZONE, "meetings_30d" integer NOT NULL, "meetings_90d" integer NOT NULL, "top_member" text, "top_member_meetings" integer, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "account_engagement_pkey" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "account_engagement_valid_until_idx" ON "account_engagement" ("valid_until")`,
    );
    await queryRunner.query(
      `CREATE TABLE "engagement_dirty" ("id" BIGSERIAL NOT NULL, "account_id" text, "meeting_id" uuid, CONSTRAINT "engagement_dirty_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "account_engagement" ADD CONSTRAINT "account_engagement_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // A trigger with transition tables serves one event. Interactions note their account; a member's copy notes
    // its meeting, whose accounts readers resolve in their own snapshot (the writer's may miss a concurrent one).
    await queryRunner.query(`
      CREATE FUNCTION interactions_engagement_noted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (account_id) SELECT DISTINCT account_id FROM changed;
        RETURN NULL;
      END
      $$`);
    // Rewritten rows whose start stayed note nothing: a sync upserts every interaction of a page it lists.
    await queryRunner.query(`
      CREATE FUNCTION interactions_engagement_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (account_id)
        SELECT DISTINCT n.account_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.start_time IS DISTINCT FROM o.start_time;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION calendar_events_engagement_noted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (meeting_id) SELECT DISTINCT meeting_id FROM changed;
        RETURN NULL;
      END
      $$`);
    // A copy moves to another meeting when its event is re-keyed: both meetings' members change.
    await queryRunner.query(`
      CREATE FUNCTION calendar_events_engagement_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (meeting_id)
        SELECT DISTINCT moved.meeting_id
        FROM new_rows n JOIN old_rows o ON (o.member_id, o.event_id) = (n.member_id, n.event_id)
        CROSS JOIN LATERAL (VALUES (n.meeting_id), (o.meeting_id)) AS moved(meeting_id)
        WHERE n.meeting_id IS DISTINCT FROM o.meeting_id;
        RETURN NULL;
      END
      $$`);
    for (const table of ['interactions', 'calendar_events']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_engagement_insert AFTER INSERT ON ${table}
         REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_engagement_noted()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_engagement_update AFTER UPDATE ON ${table}
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
         FOR EACH STATEMENT EXECUTE FUNCTION ${table}_engagement_moved()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_engagement_delete AFTER DELETE ON ${table}
         REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_engagement_noted()`,
      );
    }
    // Every account met so far: computed on reading until the first refresh.
    await queryRunner.query(
      `INSERT INTO engagement_dirty (account_id) SELECT DISTINCT account_id FROM interactions ORDER BY 1`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['interactions', 'calendar_events']) {
      for (const event of ['insert', 'update', 'delete']) {
        await queryRunner.query(`DROP TRIGGER ${table}_engagement_${event} ON ${table}`);
      }
    }
    for (const table of ['interactions', 'calendar_events']) {
      await queryRunner.query(`DROP FUNCTION ${table}_engagement_moved()`);
      await queryRunner.query(`DROP FUNCTION ${table}_engagement_noted()`);
    }
    await queryRunner.query(
      `ALTER TABLE "account_engagement" DROP CONSTRAINT "account_engagement_account_id_fkey"`,
    );
    await queryRunner.query(`DROP TABLE "engagement_dirty"`);
    await queryRunner.query(`DROP INDEX "account_engagement_valid_until_idx"`);
    await queryRunner.query(`DROP TABLE "account_engagement"`);
  }
}
