import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The Google call budget shared by the instances (GOOGLE_REQUESTS_PER_MINUTE, GOOGLE_USER_REQUESTS_PER_MINUTE). */
export class GoogleCallSlots1764324000000 implements MigrationInterface {
  name = 'GoogleCallSlots1764324000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "google_call_slots" ("scope" text NOT NULL, "reserved_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "google_call_slots_pkey" PRIMARY KEY ("scope"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "google_call_slots"`);
  }
}
