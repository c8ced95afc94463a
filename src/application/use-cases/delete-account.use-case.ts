import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { toMatchKeys } from '../../domain/match-keys';
import { RematchMeetings } from './rematch-meetings.use-case';

/** Deletes an account with its contacts and interactions; its meetings are matched again without it. */
@injectable()
export class DeleteAccount {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(RematchMeetings) private readonly rematch: RematchMeetings,
  ) {}

  async execute(id: string): Promise<void> {
    const found = await this.uow.run(async (tx) => {
      await tx.meetings.lockMatchingData('exclusive');
      const deleted = await tx.accounts.delete(id);
      if (deleted !== null) {
        await tx.meetings.flagForRematch(
          toMatchKeys({ emails: deleted.contactEmails, domains: deleted.domains }),
        );
      }
      return deleted !== null;
    });
    if (!found) throw new NotFoundError(`No account "${id}"`);
    await this.rematch.execute();
  }
}
