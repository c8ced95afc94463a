import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { Clock } from '../ports/clock.port';
import type {
  AccountEngagement,
  ContactLastMet,
  EngagementReadModel,
} from '../ports/engagement-read-model.port';
import { TOKENS } from '../ports/tokens';

export interface GetAccountEngagementInput {
  accountId: string;
  /** Past weeks, the current one included. */
  weeks: number;
  /** Weeks after the current one (meetings already scheduled). */
  weeksAhead: number;
  topMembers: number;
}

/** One account's cadence: the figures of the accounts list, weekly counts around today, and its top members. */
@injectable()
export class GetAccountEngagement {
  constructor(
    @inject(TOKENS.EngagementReadModel) private readonly engagement: EngagementReadModel,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(input: GetAccountEngagementInput): Promise<AccountEngagement> {
    const found = await this.engagement.forAccount(input.accountId, { now: this.clock.now(), ...input });
    if (found === null) throw new NotFoundError(`No account "${input.accountId}"`);
    return found;
  }

  /** The account's contacts with the last time each was met (an unknown account has none). */
  contacts(accountId: string, limit: number): Promise<ContactLastMet[]> {
    return this.engagement.contactsLastMet(accountId, this.clock.now(), limit);
  }
}
