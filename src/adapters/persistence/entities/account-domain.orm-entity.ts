import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { AccountOrmEntity } from './account.orm-entity';

/** One row per (account, domain): the domain index answers "which accounts list this domain" in one lookup. */
@Entity({ name: 'account_domains' })
@Index('account_domains_domain_idx', ['domain'])
export class AccountDomainOrmEntity {
  @PrimaryColumn({ name: 'account_id', type: 'text', primaryKeyConstraintName: 'account_domains_pkey' })
  accountId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'account_domains_pkey' })
  domain!: string;

  @ManyToOne(() => AccountOrmEntity, (account) => account.domains, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'account_domains_account_id_fkey' })
  account!: AccountOrmEntity;
}
