import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { AccountOrmEntity } from './account.orm-entity';

/**
 * An account's engagement figures as computed at some instant, valid until the next instant one of them changes
 * by the passing of time alone (a meeting starting, or leaving the 30- or 90-day window). Changes to the data are
 * marked in `engagement_dirty`; readers compute an account afresh while it is marked or past `valid_until`.
 */
@Entity({ name: 'account_engagement' })
@Index('account_engagement_valid_until_idx', ['validUntil'])
export class AccountEngagementOrmEntity {
  @PrimaryColumn({ name: 'account_id', type: 'text', primaryKeyConstraintName: 'account_engagement_pkey' })
  accountId!: string;

  @Column({ name: 'last_at', type: 'timestamptz', nullable: true })
  lastAt!: Date | null;

  @Column({ name: 'next_at', type: 'timestamptz', nullable: true })
  nextAt!: Date | null;

  @Column({ name: 'meetings_30d', type: 'integer' })
  meetings30d!: number;

  @Column({ name: 'meetings_90d', type: 'integer' })
  meetings90d!: number;

  /** The email of the member with the most past meetings with the account (ties: the first email). */
  @Column({ name: 'top_member', type: 'text', nullable: true })
  topMember!: string | null;

  @Column({ name: 'top_member_meetings', type: 'integer', nullable: true })
  topMemberMeetings!: number | null;

  /** The instant the figures were computed for: a reader at an earlier instant computes them itself. */
  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt!: Date;

  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil!: Date;

  @ManyToOne(() => AccountOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'account_engagement_account_id_fkey' })
  account!: AccountOrmEntity;
}

/**
 * What changed since the figures were computed, written by triggers: an account (its interactions changed) or a
 * meeting (its members' copies changed; its accounts are looked up by the reader). Append-only, so that writers
 * never wait on each other for it.
 */
@Entity({ name: 'engagement_dirty' })
export class EngagementDirtyOrmEntity {
  @PrimaryColumn({
    type: 'bigint',
    generated: 'increment',
    primaryKeyConstraintName: 'engagement_dirty_pkey',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'text', nullable: true })
  accountId!: string | null;

  @Column({ name: 'meeting_id', type: 'uuid', nullable: true })
  meetingId!: string | null;
}
