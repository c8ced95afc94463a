import { inject, injectable } from 'inversify';

import type { Contact } from '../../domain/account';
import { type ImportPreview, type ImportRow, previewImport } from '../import-preview';
import type { AccountRepository } from '../ports/account-repository.port';
import type { ContactRepository, StoredContact } from '../ports/contact-repository.port';
import { TOKENS } from '../ports/tokens';

export type ContactImportPreview = ImportPreview<Contact, StoredContact>;

/**
 * What upserting these contacts would change. A contact naming an account that does not exist is rejected (the
 * upsert would refuse the whole batch); one without a name keeps the stored name, as the upsert does.
 */
@injectable()
export class PreviewContactImport {
  constructor(
    @inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository,
    @inject(TOKENS.ContactRepository) private readonly contacts: ContactRepository,
  ) {}

  async execute(rows: readonly ImportRow<Contact>[]): Promise<ContactImportPreview> {
    const valid = rows.flatMap((row) => (row.value === null ? [] : [row.value]));
    const [accounts, contacts] = await Promise.all([
      this.accounts.getMany([...new Set(valid.map((contact) => contact.accountId))]),
      this.contacts.getMany([...new Set(valid.map((contact) => contact.email.value))]),
    ]);
    const knownAccounts = new Set(accounts.map((account) => account.id));
    return previewImport(rows, {
      key: (contact) => contact.email.value,
      keyField: 'email',
      stored: new Map(contacts.map((contact) => [contact.email, contact])),
      isUnchanged: (contact, stored) =>
        contact.accountId === stored.accountId &&
        (contact.name === undefined || contact.name === stored.name),
      refuse: (contact) =>
        knownAccounts.has(contact.accountId) ? [] : [`unknown accountId "${contact.accountId}"`],
    });
  }
}
