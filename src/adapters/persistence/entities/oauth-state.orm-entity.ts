import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Pending OAuth states, stored as SHA-256 digests: single-use, expiring. */
@Entity({ name: 'oauth_states' })
export class OAuthStateOrmEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'text', primaryKeyConstraintName: 'oauth_states_pkey' })
  stateHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
