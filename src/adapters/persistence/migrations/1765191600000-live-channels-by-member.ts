import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A member's live channel in one index probe: the renewal claim asks it of every active member, and with only the
 * member index and the unstopped-channels index a plan may read every live channel for each member.
 */
export class LiveChannelsByMember1765191600000 implements MigrationInterface {
  name = 'LiveChannelsByMember1765191600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "channels_live_by_member_idx" ON "channels" ("member_id", "expires_at") WHERE stopped_at IS NULL AND superseded_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "channels_live_by_member_idx"`);
  }
}
