import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { AccountOrmEntity } from './account.orm-entity';
import { MeetingOrmEntity } from './meeting.orm-entity';

/** A meeting recorded against one account; start and date are copied from the meeting for the timeline index. */
@Entity({ name: 'interactions' })
@Unique('interactions_meeting_id_account_id_key', ['meetingId', 'accountId'])
@Index('interactions_account_timeline_idx', ['accountId', 'startTime', 'id'])
export class InteractionOrmEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'interactions_pkey' })
  id!: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId!: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;

  /** contact | domain */
  @Column({ name: 'matched_by', type: 'text' })
  matchedBy!: string;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'local_date', type: 'date' })
  localDate!: string;

  @ManyToOne(() => MeetingOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'meeting_id', foreignKeyConstraintName: 'interactions_meeting_id_fkey' })
  meeting!: MeetingOrmEntity;

  @ManyToOne(() => AccountOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'interactions_account_id_fkey' })
  account!: AccountOrmEntity;
}
