import { inject, injectable } from 'inversify';

import type { ChangeFeed } from '../ports/change-feed.port';
import type { Clock } from '../ports/clock.port';
import { TOKENS } from '../ports/tokens';

export interface ChangeRetention {
  /** CHANGES_RETENTION_DAYS */
  days: number;
}

/** Forgets changes (and delivery attempts) older than CHANGES_RETENTION_DAYS; older cursors then answer 410. */
@injectable()
export class PruneChanges {
  constructor(
    @inject(TOKENS.ChangeFeed) private readonly feed: ChangeFeed,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.ChangeRetention) private readonly retention: ChangeRetention,
  ) {}

  async execute(): Promise<{ pruned: number }> {
    const before = new Date(this.clock.now().getTime() - this.retention.days * 86_400_000);
    return { pruned: await this.feed.prune(before) };
  }
}
