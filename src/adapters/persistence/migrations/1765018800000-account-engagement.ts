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
      `CREATE TABLE "account_engagement" ("account_id" text NOT NULL, "last_at" TIMESTAMP WITH TIME ZONE, "next_at" TIMESTAMP WITH TIME ZONE, "meetings_30d" integer NOT NULL, "meetings_90d" integer NOT NULL, "top_member" text, "top_member_meetings" integer, "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "account_engagement_pkey" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "account_engagement_valid_until_idx" ON "account_engagement" ("valid_until")`,
    );
    await queryRunner.query(
      `CREATE TABLE "engagement_dirty" ("id" BIGSERIAL NOT NULL, "account_id" text NOT NULL, CONSTRAINT "engagement_dirty_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "account_engagement" ADD CONSTRAINT "account_engagement_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // A trigger with transition tables serves one event: one per event, sharing the function that reads `changed`.
    await queryRunner.query(`
      CREATE FUNCTION interactions_engagement_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (account_id) SELECT DISTINCT account_id FROM changed;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION calendar_events_engagement_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_dirty (account_id)
        SELECT DISTINCT i.account_id FROM changed c JOIN interactions i ON i.meeting_id = c.meeting_id;
        RETURN NULL;
      END
      $$`);
    for (const [table, fn] of [
      ['interactions', 'interactions_engagement_dirty'],
      ['calendar_events', 'calendar_events_engagement_dirty'],
    ] as const) {
      // An update never moves a row to another account or meeting (both are in its key), so its new rows say it.
      for (const [event, transition] of [
        ['INSERT', 'NEW'],
        ['UPDATE', 'NEW'],
        ['DELETE', 'OLD'],
      ] as const) {
        await queryRunner.query(
          `CREATE TRIGGER ${table}_engagement_${event.toLowerCase()} AFTER ${event} ON ${table}
           REFERENCING ${transition} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
        );
      }
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
    await queryRunner.query(`DROP FUNCTION calendar_events_engagement_dirty()`);
    await queryRunner.query(`DROP FUNCTION interactions_engagement_dirty()`);
    await queryRunner.query(
      `ALTER TABLE "account_engagement" DROP CONSTRAINT "account_engagement_account_id_fkey"`,
    );
    await queryRunner.query(`DROP TABLE "engagement_dirty"`);
    await queryRunner.query(`DROP INDEX "account_engagement_valid_until_idx"`);
    await queryRunner.query(`DROP TABLE "account_engagement"`);
  }
}
