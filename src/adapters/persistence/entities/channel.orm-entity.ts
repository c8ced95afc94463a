import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { MemberOrmEntity } from './member.orm-entity';

/**
 * A Google watch channel on a member's calendar. Live while not stopped and not expired; a renewal supersedes it
 * (both deliver until it is stopped). A superseded channel whose stop failed is retried, never forgotten.
 */
@Entity({ name: 'channels' })
@Index('channels_member_id_idx', ['memberId'])
@Index('channels_unstopped_idx', ['expiresAt'], { where: 'stopped_at IS NULL' })
@Index('channels_live_by_member_idx', ['memberId', 'expiresAt'], {
  where: 'stopped_at IS NULL AND superseded_at IS NULL',
})
export class ChannelOrmEntity {
  /** Our channel id (a UUID), sent to Google and back in X-Goog-Channel-ID. */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'channels_pkey' })
  id!: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  /**
   * Google's id of the watched resource, checked against X-Goog-Resource-ID; null while Google has not answered the
   * watch call yet (the channel's `sync` message may come first).
   */
  @Column({ name: 'resource_id', type: 'text', nullable: true })
  resourceId!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @Column({ name: 'stop_error', type: 'text', nullable: true })
  stopError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => MemberOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'channels_member_id_fkey' })
  member!: MemberOrmEntity;
}
