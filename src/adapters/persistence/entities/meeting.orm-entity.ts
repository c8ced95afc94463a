import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/** One meeting, however many members' calendars hold a copy of it. */
@Entity({ name: 'meetings' })
@Unique('meetings_ical_uid_original_start_key', ['iCalUID', 'originalStart'])
@Index('meetings_unmatched_idx', ['startTime', 'id'], { where: 'unmatched_reason IS NOT NULL' })
@Index('meetings_needs_rematch_idx', ['id'], { where: 'needs_rematch' })
// GIN (for `match_keys && $1`): TypeORM cannot declare the method, so the migration creates it.
@Index('meetings_match_keys_idx', { synchronize: false })
export class MeetingOrmEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'meetings_pkey' })
  id!: string;

  @Column({ name: 'ical_uid', type: 'text' })
  iCalUID!: string;

  /** '' for a single event; the original start of a recurring instance. */
  @Column({ name: 'original_start', type: 'text' })
  originalStart!: string;

  /** '' for a private meeting. */
  @Column({ type: 'text' })
  title!: string;

  /** A private or confidential event: recorded without its title. */
  @Column({ type: 'boolean', default: false })
  private!: boolean;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'duration_minutes', type: 'integer' })
  durationMinutes!: number;

  @Column({ name: 'local_date', type: 'date' })
  localDate!: string;

  /** The attendees as the calendar gave them (resources left out): what re-matching starts from. */
  @Column({ type: 'jsonb' })
  attendees!: unknown;

  /** The attendees with their matches, as the API shows them. */
  @Column({ type: 'jsonb' })
  participants!: unknown;

  /** The attendees came from a copy that may omit some (kept only while no complete copy is known). */
  @Column({ name: 'attendees_omitted', type: 'boolean', default: false })
  attendeesOmitted!: boolean;

  /** `updated` of the copy the attendees came from: only a newer complete copy replaces them. */
  @Column({ name: 'attendees_updated', type: 'timestamptz' })
  attendeesUpdated!: Date;

  /** `[{accountId, matchedBy}]`: the meeting's interactions, derived with its participants. */
  @Column({ name: 'account_matches', type: 'jsonb', default: () => "'[]'" })
  accountMatches!: unknown;

  @Column({ name: 'unmatched_reason', type: 'text', nullable: true })
  unmatchedReason!: string | null;

  @Column({ name: 'candidate_account_ids', type: 'text', array: true, default: () => "'{}'" })
  candidateAccountIds!: string[];

  /** The outside attendees who matched no account (members, internal people and rooms never are). */
  @Column({ name: 'unmatched_emails', type: 'text', array: true, default: () => "'{}'" })
  unmatchedEmails!: string[];

  /**
   * `e:<email>` / `d:<domain>` keys of the attendees (GIN-indexed): an account or contact change re-matches exactly
   * the meetings sharing one of its keys.
   */
  @Column({ name: 'match_keys', type: 'text', array: true, default: () => "'{}'" })
  matchKeys!: string[];

  @Column({ name: 'needs_rematch', type: 'boolean', default: false })
  needsRematch!: boolean;

  /** `updated` of the copy the data came from: an older copy never overwrites a newer one. */
  @Column({ name: 'source_updated', type: 'timestamptz' })
  sourceUpdated!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
