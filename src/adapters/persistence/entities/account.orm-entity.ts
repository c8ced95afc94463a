import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import { AccountDomainOrmEntity } from './account-domain.orm-entity';

@Entity({ name: 'accounts' })
export class AccountOrmEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'accounts_pkey' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @OneToMany(() => AccountDomainOrmEntity, (domain) => domain.account)
  domains!: AccountDomainOrmEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
