import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per scheduled job run (`<job>:<slot>`): the instance that inserts it runs the tick. */
@Entity({ name: 'job_runs' })
export class JobRunOrmEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'job_runs_pkey' })
  key!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
