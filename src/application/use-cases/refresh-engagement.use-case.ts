import { inject, injectable } from 'inversify';

import type { Clock } from '../ports/clock.port';
import type { EngagementReadModel } from '../ports/engagement-read-model.port';
import { TOKENS } from '../ports/tokens';

/**
 * Recomputes the kept figures of the accounts whose data changed or whose figures time has moved past. Readers
 * never depend on it for correctness (they compute such accounts themselves), only for speed.
 */
@injectable()
export class RefreshEngagement {
  constructor(
    @inject(TOKENS.EngagementReadModel) private readonly engagement: EngagementReadModel,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  execute(): Promise<{ accounts: number }> {
    return this.engagement.refresh(this.clock.now());
  }
}
