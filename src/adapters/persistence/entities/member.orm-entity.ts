import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A member with their primary calendar's sync state (one calendar per member). */
@Entity({ name: 'members' })
@Unique('members_email_key', ['email'])
export class MemberOrmEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'members_pkey' })
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  /** active | needs_reconnect | disconnected (domain/member-connection.ts). */
  @Column({ type: 'text', default: 'active' })
  status!: string;

  /** oauth (their own consent, tokens in `credentials`) | delegation (the Workspace's domain-wide delegation). */
  @Column({ type: 'text', default: 'oauth' })
  via!: string;

  /** Why the member must reconnect (`needs_reconnect`), or was disconnected by the directory sync. */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  /** Moves with every status or grant change; writes made under an older one are refused. */
  @Column({ type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** AES-256-GCM ciphertext of the OAuth tokens, bound to the member id. */
  @Column({ type: 'bytea', nullable: true })
  credentials!: Buffer | null;

  @Column({ name: 'time_zone', type: 'text', nullable: true })
  timeZone!: string | null;

  @Column({ name: 'sync_token', type: 'text', nullable: true })
  syncToken!: string | null;

  @Column({ name: 'full_sync_generation', type: 'integer', default: 0 })
  fullSyncGeneration!: number;

  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true })
  lastSyncAt!: Date | null;

  /** Set while a sync is wanted; cleared by the worker that ran a sync started after it. */
  @Column({ name: 'sync_requested_at', type: 'timestamptz', nullable: true })
  syncRequestedAt!: Date | null;

  /** A full sync is wanted: cleared only when a full sync begins (under its lease), not when one is claimed. */
  @Column({ name: 'full_sync_requested', type: 'boolean', default: false })
  fullSyncRequested!: boolean;

  /** When the running (or last) sync started: requests made after it wait for the next sync. */
  @Column({ name: 'sync_started_at', type: 'timestamptz', nullable: true })
  syncStartedAt!: Date | null;

  /** A worker holds the calendar until then; a dead worker's lease lapses. */
  @Column({ name: 'sync_lease_until', type: 'timestamptz', nullable: true })
  syncLeaseUntil!: Date | null;

  /** The worker holding the lease: every write of a sync is conditional on it, so a stale worker is refused. */
  @Column({ name: 'sync_lease_owner', type: 'uuid', nullable: true })
  syncLeaseOwner!: string | null;

  @Column({ name: 'sync_failures', type: 'integer', default: 0 })
  syncFailures!: number;

  /** No sync before then: backoff after failures, the minimum interval after a start. */
  @Column({ name: 'next_sync_at', type: 'timestamptz', nullable: true })
  nextSyncAt!: Date | null;

  /** The periodic safety sync wants a sync from then on (spread over its period). */
  @Column({ name: 'safety_sync_at', type: 'timestamptz', nullable: true })
  safetySyncAt!: Date | null;

  /** Renewals that failed in a row: each pauses the next attempt longer. */
  @Column({ name: 'channel_failures', type: 'integer', default: 0 })
  channelFailures!: number;

  /** The lookahead window moves: a full sync is due again a day after the last one began. */
  @Column({ name: 'last_full_sync_at', type: 'timestamptz', nullable: true })
  lastFullSyncAt!: Date | null;

  /** One instance renews this member's channel at a time: it holds the claim until then. */
  @Column({ name: 'channel_claimed_until', type: 'timestamptz', nullable: true })
  channelClaimedUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
