import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instances sharing a server accept a busy calendar's pushes without a statement for a moment (PushHolds). A
 * channel's stop and a change of a connection end those holds in every instance: these triggers NOTIFY at commit,
 * whoever wrote. Only the rows' transitions fire them, not the sync's own writes to the member row.
 */
export class PushHolds1765105200000 implements MigrationInterface {
  name = 'PushHolds1765105200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION void_push_holds() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('push_holds_void', '');
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER channels_void_push_holds AFTER UPDATE ON channels FOR EACH ROW
       WHEN (OLD.stopped_at IS NULL AND NEW.stopped_at IS NOT NULL)
       EXECUTE FUNCTION void_push_holds()`,
    );
    // A status change, or a sync allowed to start at once (next_sync_at cleared when a member signs in again).
    await queryRunner.query(
      `CREATE TRIGGER members_void_push_holds AFTER UPDATE ON members FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status
             OR (OLD.next_sync_at IS NOT NULL AND NEW.next_sync_at IS NULL))
       EXECUTE FUNCTION void_push_holds()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER members_void_push_holds ON members`);
    await queryRunner.query(`DROP TRIGGER channels_void_push_holds ON channels`);
    await queryRunner.query(`DROP FUNCTION void_push_holds()`);
  }
}
