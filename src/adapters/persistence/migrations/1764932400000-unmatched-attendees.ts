import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each unmatched meeting keeps the outside attendees who matched nothing, so that the list names only them (not
 * the members and colleagues who rightly match no account). Stored meetings are matched again at the next start
 * to fill it in.
 */
export class UnmatchedAttendees1764932400000 implements MigrationInterface {
  name = 'UnmatchedAttendees1764932400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "meetings" ADD "unmatched_emails" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      `UPDATE "meetings" SET "needs_rematch" = true WHERE "unmatched_reason" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "meetings" DROP COLUMN "unmatched_emails"`);
  }
}
