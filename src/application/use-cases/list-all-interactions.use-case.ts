import { inject, injectable } from 'inversify';

import type { ChangeFeed, FeedPosition } from '../ports/change-feed.port';
import type { InteractionView, MeetingRepository } from '../ports/meeting-repository.port';
import { TOKENS } from '../ports/tokens';

/**
 * GET /api/interactions: every current interaction, paged by id, with the feed position to go on from once the
 * read is done. The position is taken before the first page and kept for every page of the read: changes made
 * while the pages are read come after it, so a consumer that applies the feed from there misses none (it may
 * see some twice: changes are applied idempotently).
 */
@injectable()
export class ListAllInteractions {
  constructor(
    @inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository,
    @inject(TOKENS.ChangeFeed) private readonly feed: ChangeFeed,
  ) {}

  async execute(input: {
    limit: number;
    after: { id: string; changesFrom: FeedPosition } | null;
  }): Promise<{ items: InteractionView[]; next: string | null; changesFrom: FeedPosition }> {
    const changesFrom = input.after?.changesFrom ?? (await this.feed.safePosition());
    const page = await this.meetings.listAllInteractions(input.limit, input.after?.id ?? null);
    return { ...page, changesFrom };
  }
}
