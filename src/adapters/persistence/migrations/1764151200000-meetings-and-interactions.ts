import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Members and their calendar sync state, OAuth states, meetings with their calendar copies, interactions. */
export class MeetingsAndInteractions1764151200000 implements MigrationInterface {
  name = 'MeetingsAndInteractions1764151200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "meetings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ical_uid" text NOT NULL, "original_start" text NOT NULL, "title" text NOT NULL, "start_time" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_minutes" integer NOT NULL, "local_date" date NOT NULL, "attendees" jsonb NOT NULL, "participants" jsonb NOT NULL, "unmatched_reason" text, "candidate_account_ids" text array NOT NULL DEFAULT '{}', "match_keys" text array NOT NULL DEFAULT '{}', "needs_rematch" boolean NOT NULL DEFAULT false, "source_updated" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "meetings_ical_uid_original_start_key" UNIQUE ("ical_uid", "original_start"), CONSTRAINT "meetings_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "meetings_needs_rematch_idx" ON "meetings"("id") WHERE needs_rematch`,
    );
    await queryRunner.query(
      `CREATE INDEX "meetings_unmatched_idx" ON "meetings"("start_time", "id") WHERE unmatched_reason IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "last_error" text, "credentials" bytea, "time_zone" text, "sync_token" text, "full_sync_generation" integer NOT NULL DEFAULT '0', "last_sync_at" TIMESTAMP WITH TIME ZONE, "sync_requested_at" TIMESTAMP WITH TIME ZONE, "full_sync_requested" boolean NOT NULL DEFAULT false, "sync_lease_until" TIMESTAMP WITH TIME ZONE, "sync_failures" integer NOT NULL DEFAULT '0', "next_sync_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "members_email_key" UNIQUE ("email"), CONSTRAINT "members_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "calendar_events" ("member_id" uuid NOT NULL, "event_id" text NOT NULL, "meeting_id" uuid NOT NULL, "seen_generation" integer NOT NULL, CONSTRAINT "calendar_events_pkey" PRIMARY KEY ("member_id", "event_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "calendar_events_meeting_id_idx" ON "calendar_events"("meeting_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "interactions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "meeting_id" uuid NOT NULL, "account_id" text NOT NULL, "matched_by" text NOT NULL, "start_time" TIMESTAMP WITH TIME ZONE NOT NULL, "local_date" date NOT NULL, CONSTRAINT "interactions_meeting_id_account_id_key" UNIQUE ("meeting_id", "account_id"), CONSTRAINT "interactions_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "interactions_account_timeline_idx" ON "interactions"("account_id", "start_time", "id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "matching_lock" ("id" integer NOT NULL, CONSTRAINT "matching_lock_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oauth_states" ("state_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("state_hash"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_meeting_id_fkey" FOREIGN KEY ("meeting_id") REFERENCES "meetings"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "interactions" ADD CONSTRAINT "interactions_meeting_id_fkey" FOREIGN KEY ("meeting_id") REFERENCES "meetings"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "interactions" ADD CONSTRAINT "interactions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE INDEX "meetings_match_keys_idx" ON "meetings" USING gin ("match_keys")`);
    await queryRunner.query(`INSERT INTO "matching_lock" ("id") VALUES (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'matching_lock',
      'interactions',
      'calendar_events',
      'meetings',
      'oauth_states',
      'members',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
