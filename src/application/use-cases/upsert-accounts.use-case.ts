import { inject, injectable } from 'inversify';

import type { Account } from '../../domain/account';
import type { AccountRepository } from '../ports/account-repository.port';
import { TOKENS } from '../ports/tokens';
import { assertUniqueKeys } from './batch-limits';

export interface UpsertAccountsOutput {
  upserted: number;
}

@injectable()
export class UpsertAccounts {
  constructor(@inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository) {}

  async execute(accounts: readonly Account[]): Promise<UpsertAccountsOutput> {
    assertUniqueKeys(accounts, (account) => account.id, 'id');
    await this.accounts.upsertMany(accounts);
    return { upserted: accounts.length };
  }
}
