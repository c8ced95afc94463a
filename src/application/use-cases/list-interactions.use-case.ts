import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { AccountRepository } from '../ports/account-repository.port';
import type {
  InteractionFilter,
  InteractionView,
  MeetingRepository,
  Page,
} from '../ports/meeting-repository.port';
import { TOKENS } from '../ports/tokens';

/** An account's interactions, newest first. */
@injectable()
export class ListInteractions {
  constructor(
    @inject(TOKENS.AccountRepository) private readonly accounts: AccountRepository,
    @inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository,
  ) {}

  async execute(filter: InteractionFilter): Promise<Page<InteractionView>> {
    const page = await this.meetings.listInteractions(filter);
    if (
      page.items.length === 0 &&
      filter.after === null &&
      (await this.accounts.get(filter.accountId)) === null
    ) {
      throw new NotFoundError(`No account "${filter.accountId}"`);
    }
    return page;
  }
}
