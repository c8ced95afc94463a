import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member's connection gets a version (writers holding an older one are refused) and the reason of
 * `needs_reconnect`; a sync lease gets its owner; used OAuth states are swept by their expiry.
 */
export class ConnectionLifecycle1764496800000 implements MigrationInterface {
  name = 'ConnectionLifecycle1764496800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" ADD "version" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "members" ADD "status_reason" text`);
    await queryRunner.query(`ALTER TABLE "members" ADD "sync_lease_owner" uuid`);
    await queryRunner.query(
      `UPDATE "members" SET "status_reason" = 'grant_revoked' WHERE "status" = 'needs_reconnect'`,
    );
    await queryRunner.query(`CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states" ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "oauth_states_expires_at_idx"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "sync_lease_owner"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "status_reason"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "version"`);
  }
}
