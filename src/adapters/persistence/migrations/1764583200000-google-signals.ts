import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What Google's own signals need: whose copy omits attendees and when the attendee list was last taken, private
 * meetings, each meeting's account matches as data, the series of each copy, channels stored before Google
 * answers the watch, the renewal's failures, and each calendar's last full sync (the lookahead window moves).
 */
export class GoogleSignals1764583200000 implements MigrationInterface {
  name = 'GoogleSignals1764583200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "meetings" ADD "private" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "meetings" ADD "attendees_omitted" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "meetings" ADD "attendees_updated" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "meetings" SET "attendees_updated" = "source_updated"`);
    await queryRunner.query(`ALTER TABLE "meetings" ALTER COLUMN "attendees_updated" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "meetings" ADD "account_matches" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(
      `UPDATE "meetings" m SET "account_matches" = COALESCE((
         SELECT jsonb_agg(jsonb_build_object('accountId', i.account_id, 'matchedBy', i.matched_by) ORDER BY i.account_id)
         FROM "interactions" i WHERE i.meeting_id = m.id), '[]')`,
    );
    // Declined attendees no longer count: every stored meeting is matched again at the next start.
    await queryRunner.query(`UPDATE "meetings" SET "needs_rematch" = true`);
    await queryRunner.query(`ALTER TABLE "calendar_events" ADD "series_id" text`);
    await queryRunner.query(
      `CREATE INDEX "calendar_events_series_idx" ON "calendar_events" ("member_id", "series_id") WHERE series_id IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "channels" ALTER COLUMN "resource_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "members" ADD "channel_failures" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "members" ADD "last_full_sync_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "last_full_sync_at"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "channel_failures"`);
    await queryRunner.query(`DELETE FROM "channels" WHERE "resource_id" IS NULL`);
    await queryRunner.query(`ALTER TABLE "channels" ALTER COLUMN "resource_id" SET NOT NULL`);
    await queryRunner.query(`DROP INDEX "calendar_events_series_idx"`);
    await queryRunner.query(`ALTER TABLE "calendar_events" DROP COLUMN "series_id"`);
    await queryRunner.query(`ALTER TABLE "meetings" DROP COLUMN "account_matches"`);
    await queryRunner.query(`ALTER TABLE "meetings" DROP COLUMN "attendees_updated"`);
    await queryRunner.query(`ALTER TABLE "meetings" DROP COLUMN "attendees_omitted"`);
    await queryRunner.query(`ALTER TABLE "meetings" DROP COLUMN "private"`);
  }
}
