import { inject, injectable } from 'inversify';

import type { AccountPage, AccountRepository } from '../ports/account-repository.port';
import { TOKENS } from '../ports/tokens';

export interface ListAccountsInput {
  limit: number;
  afterId: string | null;
}

@injectable()
export class ListAccounts {
  constructor(@inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository) {}

  execute({ limit, afterId }: ListAccountsInput): Promise<AccountPage> {
    return this.accounts.list(limit, afterId);
  }
}
