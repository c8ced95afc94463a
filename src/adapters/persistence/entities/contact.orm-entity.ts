import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

import { AccountOrmEntity } from './account.orm-entity';

@Entity({ name: 'contacts' })
@Index('contacts_account_id_idx', ['accountId'])
export class ContactOrmEntity {
  /** Stored lowercase: emails compare case-insensitively. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'contacts_pkey' })
  email!: string;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'account_id', type: 'text' })
  accountId!: string;

  @ManyToOne(() => AccountOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'contacts_account_id_fkey' })
  account!: AccountOrmEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
