import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Domain-wide delegation: how each member's calendar is reached (their own consent, or the Workspace's
 * delegation), and the Workspace domains enrolled so far, which the directory sync job goes over.
 */
export class TeamRollout1764756000000 implements MigrationInterface {
  name = 'TeamRollout1764756000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" ADD "via" text NOT NULL DEFAULT 'oauth'`);
    await queryRunner.query(
      `CREATE TABLE "workspace_domains" ("domain" text NOT NULL, "enrolled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "synced_at" TIMESTAMP WITH TIME ZONE, "last_error" text, CONSTRAINT "workspace_domains_pkey" PRIMARY KEY ("domain"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "workspace_domains"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "via"`);
  }
}
