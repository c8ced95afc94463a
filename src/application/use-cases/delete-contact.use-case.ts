import { inject, injectable } from 'inversify';

import { Email } from '../../domain/email';
import { NotFoundError } from '../../domain/errors';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { toMatchKeys } from '../../domain/match-keys';
import { RematchMeetings } from './rematch-meetings.use-case';

@injectable()
export class DeleteContact {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(RematchMeetings) private readonly rematch: RematchMeetings,
  ) {}

  async execute(rawEmail: string): Promise<void> {
    const email = Email.parse(rawEmail);
    const found =
      email !== null &&
      (await this.uow.run(async (tx) => {
        await tx.meetings.lockMatchingData('exclusive');
        const deleted = await tx.contacts.delete(email.value);
        if (deleted) await tx.meetings.flagForRematch(toMatchKeys({ emails: [email.value] }));
        return deleted;
      }));
    if (!found) throw new NotFoundError(`No contact "${rawEmail}"`);
    await this.rematch.execute();
  }
}
