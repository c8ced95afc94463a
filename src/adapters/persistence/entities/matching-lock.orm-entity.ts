import { Entity, PrimaryColumn } from 'typeorm';

/**
 * One row whose row lock orders matching against account changes: syncs hold it FOR SHARE while they match with
 * the lookups they read, account and contact changes FOR UPDATE. (Advisory locks would not do: PGlite shares one
 * session between all connections.)
 */
@Entity({ name: 'matching_lock' })
export class MatchingLockOrmEntity {
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'matching_lock_pkey' })
  id!: number;
}
