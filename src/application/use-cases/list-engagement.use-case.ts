import { inject, injectable } from 'inversify';

import type { Clock } from '../ports/clock.port';
import type {
  EngagementListQuery,
  EngagementPage,
  EngagementReadModel,
} from '../ports/engagement-read-model.port';
import { TOKENS } from '../ports/tokens';

export type ListEngagementInput = Omit<EngagementListQuery, 'now'>;

/** Every account with how we meet it: what a customer-success lead sorts and filters every morning. */
@injectable()
export class ListEngagement {
  constructor(
    @inject(TOKENS.EngagementReadModel) private readonly engagement: EngagementReadModel,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  execute(input: ListEngagementInput): Promise<EngagementPage> {
    return this.engagement.list({ ...input, now: this.clock.now() });
  }
}
