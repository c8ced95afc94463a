import { inject, injectable } from 'inversify';

import type {
  AccountInteractionView,
  AccountTimelineCursor,
  DatedInteractionFilter,
  MeetingRepository,
} from '../ports/meeting-repository.port';
import { TOKENS } from '../ports/tokens';

/** Every account's interactions within a range of days, a page at a time: by account id, then oldest first. */
@injectable()
export class ListInteractionsByDate {
  constructor(@inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository) {}

  execute(
    filter: DatedInteractionFilter,
  ): Promise<{ items: AccountInteractionView[]; next: AccountTimelineCursor | null }> {
    return this.meetings.listInteractionsByDate(filter);
  }
}
