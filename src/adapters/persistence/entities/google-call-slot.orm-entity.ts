import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The Google call budget: per scope (`project`, `user:<member id>`), the end of the last reserved call slot. */
@Entity({ name: 'google_call_slots' })
export class GoogleCallSlotOrmEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'google_call_slots_pkey' })
  scope!: string;

  @Column({ name: 'reserved_until', type: 'timestamptz' })
  reservedUntil!: Date;
}
