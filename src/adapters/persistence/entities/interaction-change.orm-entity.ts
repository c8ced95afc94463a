import { Column, Entity, Generated, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * A creation, change or deletion of an interaction, written by triggers (see the migration) in the transaction
 * that made it. The feed's order is (xid, seq): only changes of finished transactions are handed out.
 */
@Entity({ name: 'interaction_changes' })
@Unique('interaction_changes_id_key', ['id'])
@Unique('interaction_changes_xid_interaction_key', ['xid', 'interactionId'])
@Index('interaction_changes_position_idx', ['xid', 'seq'])
@Index('interaction_changes_occurred_at_idx', ['occurredAt'])
export class InteractionChangeOrmEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'interaction_changes_pkey' })
  @Generated('increment')
  seq!: string;

  /** Stable and unique: the feed's `id`, and `webhook-id` of every delivery of the change. */
  @Column({ type: 'uuid' })
  @Generated('uuid')
  id!: string;

  /** The writing transaction's id (`pg_current_xact_id()`, 64 bits: it never wraps). */
  @Column({ type: 'bigint' })
  xid!: string;

  /** interaction.created | interaction.updated | interaction.deleted */
  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'interaction_id', type: 'uuid' })
  interactionId!: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  /** The interaction's state after the change, or `{id, accountId}` for a deletion. */
  @Column({ type: 'jsonb' })
  data!: unknown;
}
