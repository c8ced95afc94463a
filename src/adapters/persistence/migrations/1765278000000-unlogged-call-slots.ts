import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The call budget's slots without the write-ahead log. Every Google call commits a slot, and a commit that wrote to
 * logged tables waits for the log to reach the disk, behind whatever a sync's page wrote before it; a transaction
 * that wrote only to unlogged tables does not wait. What is lost with them is harmless: after a crash of the
 * database server (or on a promoted replica) the table is empty, which allows one burst of calls, and Google's 429
 * answers are retried with backoff anyway.
 */
export class UnloggedCallSlots1765278000000 implements MigrationInterface {
  name = 'UnloggedCallSlots1765278000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "google_call_slots" SET UNLOGGED`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "google_call_slots" SET LOGGED`);
  }
}
