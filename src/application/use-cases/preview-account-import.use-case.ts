import { inject, injectable } from 'inversify';

import type { Account } from '../../domain/account';
import { type ImportPreview, type ImportRow, previewImport } from '../import-preview';
import type { AccountRepository, AccountSummary } from '../ports/account-repository.port';
import { TOKENS } from '../ports/tokens';

export type AccountImportPreview = ImportPreview<Account, AccountSummary>;

/**
 * What upserting these accounts would change: an account whose name and domains are as stored is unchanged
 * (domains compare as sets, since an upsert replaces the whole list).
 */
@injectable()
export class PreviewAccountImport {
  constructor(@inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository) {}

  async execute(rows: readonly ImportRow<Account>[]): Promise<AccountImportPreview> {
    const ids = [...new Set(rows.flatMap((row) => (row.value === null ? [] : [row.value.id])))];
    const stored = new Map((await this.accounts.getMany(ids)).map((account) => [account.id, account]));
    return previewImport(rows, {
      key: (account) => account.id,
      keyField: 'id',
      stored,
      isUnchanged: (account, current) =>
        account.name === current.name &&
        sameSet(
          account.domains.map((domain) => domain.value),
          current.domains,
        ),
    });
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((value) => set.has(value));
}
