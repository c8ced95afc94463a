import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox of interactions (CONTRACT.md "Interactions out"): a change row for every creation,
 * change and deletion of an interaction, written by triggers in the transaction that makes it, whatever the path
 * (a sync, a re-match, a cascade from a deleted meeting or account). Each change carries its transaction's id, so
 * that the feed hands out only changes of finished transactions, in (transaction, sequence) order. Outbound
 * webhook endpoints keep their own position in that feed.
 */
export class InteractionsOut1764669600000 implements MigrationInterface {
  name = 'InteractionsOut1764669600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "interaction_changes" ("seq" BIGSERIAL NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "xid" bigint NOT NULL, "type" text NOT NULL, "interaction_id" uuid NOT NULL, "account_id" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "data" jsonb NOT NULL, CONSTRAINT "interaction_changes_id_key" UNIQUE ("id"), CONSTRAINT "interaction_changes_xid_interaction_key" UNIQUE ("xid", "interaction_id"), CONSTRAINT "interaction_changes_pkey" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "interaction_changes_position_idx" ON "interaction_changes" ("xid", "seq") `,
    );
    await queryRunner.query(
      `CREATE INDEX "interaction_changes_occurred_at_idx" ON "interaction_changes" ("occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "change_feed_state" ("id" integer NOT NULL, "pruned_xid" bigint NOT NULL DEFAULT '0', "pruned_seq" bigint NOT NULL DEFAULT '0', CONSTRAINT "change_feed_state_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`INSERT INTO "change_feed_state" ("id") VALUES (1)`);
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" text NOT NULL, "description" text, "secret" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "cursor_xid" bigint NOT NULL, "cursor_seq" bigint NOT NULL, "attempt" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "failing_since" TIMESTAMP WITH TIME ZONE, "disabled_at" TIMESTAMP WITH TIME ZONE, "last_delivered_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "lease_owner" uuid, "lease_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" BIGSERIAL NOT NULL, "endpoint_id" uuid NOT NULL, "change_id" uuid NOT NULL, "type" text NOT NULL, "attempt" integer NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "status" text NOT NULL, "response_status" integer, "error" text, CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("endpoint_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // What an interaction is, as a change carries it: the read side renders it like GET .../interactions does.
    await queryRunner.query(`
      CREATE FUNCTION interaction_snapshot(interaction uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
          'id', i.id, 'accountId', i.account_id, 'matchedBy', i.matched_by, 'startTime', i.start_time,
          'date', i.local_date, 'title', m.title, 'private', m.private, 'durationMinutes', m.duration_minutes,
          'participants', m.participants)
        FROM interactions i JOIN meetings m ON m.id = i.meeting_id
        WHERE i.id = interaction
      $$`);
    // One change per interaction and transaction, holding its final state: created then changed is created,
    // changed then deleted is deleted, created then deleted is nothing, deleted then created again is changed.
    await queryRunner.query(`
      CREATE FUNCTION record_interaction_change(change_type text, interaction uuid, account text, snapshot jsonb)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        tx bigint := pg_current_xact_id()::text::bigint;
        earlier text;
      BEGIN
        SELECT type INTO earlier FROM interaction_changes WHERE xid = tx AND interaction_id = interaction;
        IF earlier IS NULL THEN
          INSERT INTO interaction_changes (xid, type, interaction_id, account_id, data)
          VALUES (tx, change_type, interaction, account, snapshot);
        ELSIF earlier = 'interaction.created' AND change_type = 'interaction.deleted' THEN
          DELETE FROM interaction_changes WHERE xid = tx AND interaction_id = interaction;
        ELSE
          UPDATE interaction_changes
          SET type = CASE
                WHEN earlier = 'interaction.created' THEN earlier
                WHEN earlier = 'interaction.deleted' AND change_type = 'interaction.created' THEN 'interaction.updated'
                ELSE change_type END,
              account_id = account, data = snapshot
          WHERE xid = tx AND interaction_id = interaction;
        END IF;
        -- Delivered at commit, once per transaction: wakes the feed's readers and the webhook workers.
        PERFORM pg_notify('interaction_changes', '');
      END
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION interactions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM record_interaction_change('interaction.deleted', OLD.id, OLD.account_id,
            jsonb_build_object('id', OLD.id, 'accountId', OLD.account_id));
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM record_interaction_change('interaction.created', NEW.id, NEW.account_id, interaction_snapshot(NEW.id));
        ELSIF (OLD.matched_by, OLD.start_time, OLD.local_date, OLD.account_id)
              IS DISTINCT FROM (NEW.matched_by, NEW.start_time, NEW.local_date, NEW.account_id) THEN
          PERFORM record_interaction_change('interaction.updated', NEW.id, NEW.account_id, interaction_snapshot(NEW.id));
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER interactions_change_feed AFTER INSERT OR UPDATE OR DELETE ON interactions
       FOR EACH ROW EXECUTE FUNCTION interactions_changed()`,
    );
    // A meeting's title, time, privacy or participants are part of each of its interactions.
    await queryRunner.query(`
      CREATE FUNCTION meeting_interactions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed record;
      BEGIN
        FOR changed IN SELECT id, account_id FROM interactions WHERE meeting_id = NEW.id LOOP
          PERFORM record_interaction_change('interaction.updated', changed.id, changed.account_id,
            interaction_snapshot(changed.id));
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER meetings_change_feed AFTER UPDATE ON meetings FOR EACH ROW
       WHEN ((OLD.title, OLD.private, OLD.start_time, OLD.duration_minutes, OLD.local_date, OLD.participants)
             IS DISTINCT FROM (NEW.title, NEW.private, NEW.start_time, NEW.duration_minutes, NEW.local_date, NEW.participants))
       EXECUTE FUNCTION meeting_interactions_changed()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "meetings_change_feed" ON "meetings"`);
    await queryRunner.query(`DROP TRIGGER "interactions_change_feed" ON "interactions"`);
    await queryRunner.query(`DROP FUNCTION meeting_interactions_changed()`);
    await queryRunner.query(`DROP FUNCTION interactions_changed()`);
    await queryRunner.query(`DROP FUNCTION record_interaction_change(text, uuid, text, jsonb)`);
    await queryRunner.query(`DROP FUNCTION interaction_snapshot(uuid)`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    await queryRunner.query(`DROP TABLE "change_feed_state"`);
    await queryRunner.query(`DROP TABLE "interaction_changes"`);
  }
}
