import { inject, injectable } from 'inversify';

import type { AccountMatcher } from '../../domain/account-matcher';
import { matchMeeting } from '../../domain/meeting';
import type { Logger } from '../ports/logger.port';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { batchKeys, toMatchKeys } from '../../domain/match-keys';

/** Meetings re-matched per transaction: bounded, so account changes never hold one huge transaction. */
export const REMATCH_BATCH = 500;

/**
 * Matches again every meeting flagged by an account or contact change, in bounded batches, each in a
 * transaction of its own. Flags are durable: what a crash interrupts is finished at the next run.
 */
@injectable()
export class RematchMeetings {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(TOKENS.AccountMatcher) private readonly matcher: AccountMatcher,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ rematched: number }> {
    let rematched = 0;
    for (;;) {
      const count = await this.uow.run(async (tx) => {
        await tx.meetings.lockMatchingData('share');
        const meetings = await tx.meetings.claimRematch(REMATCH_BATCH);
        if (meetings.length === 0) return 0;
        const perMeeting = meetings.map((m) => this.matcher.lookupKeys(m.attendees.map((a) => a.email)));
        const keys = batchKeys(perMeeting);
        const { memberEmails, lookups } = await tx.matchLookups.fetch(keys.emails, keys.domains);
        await tx.meetings.saveRematch(
          meetings.map((meeting, index) => ({
            meetingId: meeting.meetingId,
            matched: matchMeeting(meeting.attendees, this.matcher, memberEmails, lookups),
            matchKeys: toMatchKeys(perMeeting[index]!),
          })),
        );
        return meetings.length;
      });
      if (count === 0) break;
      rematched += count;
    }
    if (rematched > 0) this.logger.info('meetings re-matched', { meetings: rematched });
    return { rematched };
  }
}
