import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row: the feed position up to which changes were pruned (older cursors answer 410). */
@Entity({ name: 'change_feed_state' })
export class ChangeFeedStateOrmEntity {
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'change_feed_state_pkey' })
  id!: number;

  @Column({ name: 'pruned_xid', type: 'bigint', default: 0 })
  prunedXid!: string;

  @Column({ name: 'pruned_seq', type: 'bigint', default: 0 })
  prunedSeq!: string;
}
