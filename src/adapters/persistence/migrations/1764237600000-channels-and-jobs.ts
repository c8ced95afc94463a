import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Watch channels, the per-member renewal claim, sync start times, and the run table of the distributed cron jobs. */
export class ChannelsAndJobs1764237600000 implements MigrationInterface {
  name = 'ChannelsAndJobs1764237600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "channels" ("id" uuid NOT NULL, "member_id" uuid NOT NULL, "resource_id" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "superseded_at" TIMESTAMP WITH TIME ZONE, "stopped_at" TIMESTAMP WITH TIME ZONE, "stop_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "channels_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "channels_unstopped_idx" ON "channels"("expires_at") WHERE stopped_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "channels_member_id_idx" ON "channels"("member_id")`);
    await queryRunner.query(
      `CREATE TABLE "job_runs" ("key" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "job_runs_pkey" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`ALTER TABLE "members" ADD "channel_claimed_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "members" ADD "safety_sync_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "members" ADD "sync_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "channels" ADD CONSTRAINT "channels_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "job_runs"`);
    await queryRunner.query(`DROP TABLE "channels"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "channel_claimed_until"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "safety_sync_at"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "sync_started_at"`);
  }
}
