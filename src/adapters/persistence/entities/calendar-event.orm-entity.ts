import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { MeetingOrmEntity } from './meeting.orm-entity';
import { MemberOrmEntity } from './member.orm-entity';

/** A member's copy of a meeting, by Google event id: how cancellations (which carry only the id) find it. */
@Entity({ name: 'calendar_events' })
@Index('calendar_events_meeting_id_idx', ['meetingId'])
@Index('calendar_events_series_idx', ['memberId', 'seriesId'], { where: 'series_id IS NOT NULL' })
export class CalendarEventOrmEntity {
  @PrimaryColumn({ name: 'member_id', type: 'uuid', primaryKeyConstraintName: 'calendar_events_pkey' })
  memberId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', primaryKeyConstraintName: 'calendar_events_pkey' })
  eventId!: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId!: string;

  /** The recurring series of an instance: a cancelled series removes all of its copies. */
  @Column({ name: 'series_id', type: 'text', nullable: true })
  seriesId!: string | null;

  /** The full-sync generation that last saw this copy. */
  @Column({ name: 'seen_generation', type: 'integer' })
  seenGeneration!: number;

  @ManyToOne(() => MemberOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'calendar_events_member_id_fkey' })
  member!: MemberOrmEntity;

  @ManyToOne(() => MeetingOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'meeting_id', foreignKeyConstraintName: 'calendar_events_meeting_id_fkey' })
  meeting!: MeetingOrmEntity;
}
