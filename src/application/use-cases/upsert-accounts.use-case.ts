import { inject, injectable } from 'inversify';

import type { Account } from '../../domain/account';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { assertUniqueKeys } from '../batch-limits';
import { toMatchKeys } from '../../domain/match-keys';
import { RematchMeetings } from './rematch-meetings.use-case';

export interface UpsertAccountsOutput {
  upserted: number;
}

/** Upserts accounts; meetings touching a domain that moved are flagged in the same transaction, then re-matched. */
@injectable()
export class UpsertAccounts {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(RematchMeetings) private readonly rematch: RematchMeetings,
  ) {}

  async execute(accounts: readonly Account[]): Promise<UpsertAccountsOutput> {
    assertUniqueKeys(accounts, (account) => account.id, 'id');
    await this.uow.run(async (tx) => {
      await tx.meetings.lockMatchingData('exclusive');
      const { changedDomains } = await tx.accounts.upsertMany(accounts);
      await tx.meetings.flagForRematch(toMatchKeys({ domains: changedDomains }));
    });
    await this.rematch.execute();
    return { upserted: accounts.length };
  }
}
