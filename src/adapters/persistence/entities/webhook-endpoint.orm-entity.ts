import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A system that receives every change, in order: its position in the feed is the last change it acknowledged,
 * and only the head change is attempted, until it is delivered.
 */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointOrmEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_endpoints_pkey' })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** The signing secret, encrypted like OAuth tokens (AES-256-GCM, bound to the endpoint id). */
  @Column({ type: 'bytea' })
  secret!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'cursor_xid', type: 'bigint' })
  cursorXid!: string;

  @Column({ name: 'cursor_seq', type: 'bigint' })
  cursorSeq!: string;

  /** Attempts made for the head change so far. */
  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** Since when deliveries fail without one succeeding: three days of it disables the endpoint. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @Column({ name: 'last_delivered_at', type: 'timestamptz', nullable: true })
  lastDeliveredAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The worker delivering to it now; every write of a delivery names it. */
  @Column({ name: 'lease_owner', type: 'uuid', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;
}
