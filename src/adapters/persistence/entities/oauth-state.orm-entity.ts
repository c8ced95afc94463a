import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** OAuth states already used, as SHA-256 digests, kept until they expire: a state is accepted once. */
@Entity({ name: 'oauth_states' })
@Index('oauth_states_expires_at_idx', ['expiresAt'])
export class OAuthStateOrmEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'text', primaryKeyConstraintName: 'oauth_states_pkey' })
  stateHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
