import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { AccountDetails, AccountRepository } from '../ports/account-repository.port';
import { TOKENS } from '../ports/tokens';

@injectable()
export class GetAccount {
  constructor(@inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository) {}

  async execute(id: string): Promise<AccountDetails> {
    const account = await this.accounts.get(id);
    if (account === null) throw new NotFoundError(`No account "${id}"`);
    return account;
  }
}
