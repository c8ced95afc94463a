import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
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
  constructor(@inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository) {}

  async execute(filter: InteractionFilter): Promise<Page<InteractionView>> {
    const page = await this.meetings.listInteractions(filter);
    if (page === null) throw new NotFoundError(`No account "${filter.accountId}"`);
    return page;
  }
}
