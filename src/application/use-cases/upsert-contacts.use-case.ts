import { inject, injectable } from 'inversify';

import type { Contact } from '../../domain/account';
import { ValidationFailedError } from '../../domain/errors';
import type { ContactRepository } from '../ports/contact-repository.port';
import { TOKENS } from '../ports/tokens';
import { assertUniqueKeys } from './batch-limits';

export interface UpsertContactsOutput {
  upserted: number;
}

@injectable()
export class UpsertContacts {
  constructor(@inject(TOKENS.ContactRepository) private readonly contacts: ContactRepository) {}

  async execute(contacts: readonly Contact[]): Promise<UpsertContactsOutput> {
    assertUniqueKeys(contacts, (contact) => contact.email.value, 'email');
    const { unknownAccountIds } = await this.contacts.upsertMany(contacts);
    if (unknownAccountIds.length > 0) {
      const unknown = new Set(unknownAccountIds);
      throw new ValidationFailedError(
        contacts.flatMap((contact, index) =>
          unknown.has(contact.accountId)
            ? [{ path: [index, 'accountId'], message: `unknown accountId "${contact.accountId}"` }]
            : [],
        ),
        'Some contacts name accounts that do not exist; nothing was written',
      );
    }
    return { upserted: contacts.length };
  }
}
