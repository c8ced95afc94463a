import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Workspace domain enrolled through delegation: the directory sync job enrols its new users. */
@Entity({ name: 'workspace_domains' })
export class WorkspaceDomainOrmEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'workspace_domains_pkey' })
  domain!: string;

  @Column({ name: 'enrolled_at', type: 'timestamptz', default: () => 'now()' })
  enrolledAt!: Date;

  /** The last complete read of the domain's directory. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
