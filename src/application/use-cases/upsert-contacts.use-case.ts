import { inject, injectable } from 'inversify';

import type { Contact } from '../../domain/account';
import { ValidationFailedError } from '../../domain/errors';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { assertUniqueKeys } from '../batch-limits';
import { toMatchKeys } from '../../domain/match-keys';
import { RematchMeetings } from './rematch-meetings.use-case';

export interface UpsertContactsOutput {
  upserted: number;
}

@injectable()
export class UpsertContacts {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(RematchMeetings) private readonly rematch: RematchMeetings,
  ) {}

  async execute(contacts: readonly Contact[]): Promise<UpsertContactsOutput> {
    assertUniqueKeys(contacts, (contact) => contact.email.value, 'email');
    const unknownAccountIds = await this.uow.run(async (tx) => {
      await tx.meetings.lockMatchingData('exclusive');
      const result = await tx.contacts.upsertMany(contacts);
      await tx.meetings.flagForRematch(toMatchKeys({ emails: result.changedEmails }));
      return result.unknownAccountIds;
    });
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
    await this.rematch.execute();
    return { upserted: contacts.length };
  }
}
