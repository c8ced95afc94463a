import { inject, injectable } from 'inversify';

import type {
  ChangeFeed,
  ChangeNotifications,
  FeedPosition,
  InteractionChange,
} from '../ports/change-feed.port';
import type { Clock } from '../ports/clock.port';
import { TOKENS } from '../ports/tokens';

export interface ListChangesInput {
  after: FeedPosition | null;
  limit: number;
  /** Seconds an empty answer may be held open for a change to come (long poll). */
  waitSeconds: number;
}

/** GET /api/changes: the feed from a position, held open up to `waitSeconds` while it is empty. */
@injectable()
export class ListChanges {
  constructor(
    @inject(TOKENS.ChangeFeed) private readonly feed: ChangeFeed,
    @inject(TOKENS.ChangeNotifications) private readonly notifications: ChangeNotifications,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(input: ListChangesInput): Promise<{ changes: InteractionChange[]; next: FeedPosition }> {
    const deadline = this.clock.now().getTime() + input.waitSeconds * 1000;
    for (;;) {
      const epoch = this.notifications.epoch;
      const page = await this.feed.read(input.after, input.limit);
      const left = deadline - this.clock.now().getTime();
      if (page.changes.length > 0 || left <= 0) return page;
      // A commit notifies; a change of a transaction that was still running becomes readable when it ends, which
      // may be another transaction's commit or none of ours: look again at least every second.
      await this.notifications.wait(Math.min(left, 1_000), epoch);
    }
  }
}
