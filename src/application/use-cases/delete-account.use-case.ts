import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { AccountRepository } from '../ports/account-repository.port';
import { TOKENS } from '../ports/tokens';

/** Deletes an account with its contacts. */
@injectable()
export class DeleteAccount {
  constructor(@inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository) {}

  async execute(id: string): Promise<void> {
    if (!(await this.accounts.delete(id))) throw new NotFoundError(`No account "${id}"`);
  }
}
