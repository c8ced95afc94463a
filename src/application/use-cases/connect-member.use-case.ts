import { inject, injectable } from 'inversify';

import type { MemberConnection } from '../../domain/member-connection';
import { toMatchKeys } from '../../domain/match-keys';
import { describeError } from '../errors';
import type { CalendarSession } from '../ports/calendar-gateway.port';
import type { Logger } from '../ports/logger.port';
import type { SyncScheduler } from '../ports/sync-scheduler.port';
import { TOKENS } from '../ports/tokens';
import type { UnitOfWork } from '../ports/unit-of-work.port';
import { OpenChannel } from './open-channel.use-case';
import { RematchMeetings } from './rematch-meetings.use-case';

export interface ConnectInput {
  /** The member's email as Google gave it (their primary calendar's id). */
  email: string;
  timeZone: string | null;
  /** A session on the new grant: it opens the channel. */
  session: CalendarSession;
  /** Gives the member the new grant; false when it leaves the connection as it is. */
  grant: (member: MemberConnection) => boolean;
}

/**
 * What a sign-in and a delegation enrolment share once Google has given a grant: the member stored (created when
 * new) with it, meetings where their email matched (or was listed as unmatched) matched again, the first full sync
 * requested and the watch channel opened while it lists, with a catch-up sync for what changed in between.
 */
@injectable()
export class ConnectMember {
  constructor(
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(TOKENS.SyncScheduler) private readonly scheduler: SyncScheduler,
    @inject(OpenChannel) private readonly openChannel: OpenChannel,
    @inject(RematchMeetings) private readonly rematch: RematchMeetings,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  /** `connected` is false when `grant` left the member as they were (nothing else was done). */
  async execute(input: ConnectInput): Promise<{ connection: MemberConnection; connected: boolean }> {
    const { connection, connected } = await this.uow.run(async (tx) => {
      await tx.meetings.lockMatchingData('exclusive');
      const member = await tx.members.enrol(input.email, input.timeZone);
      if (!input.grant(member)) return { connection: member, connected: false };
      // The row is locked by `enrol` until this transaction ends: nobody can have changed it meanwhile.
      if (!(await tx.members.save(member))) throw new Error('the member changed while connecting');
      // A member's own email never matches, nor is it an unmatched outsider: meetings stored before they were a
      // member (from a colleague's calendar) must be matched again.
      await tx.meetings.flagForRematch(toMatchKeys({ emails: [input.email] }));
      return { connection: member, connected: true };
    });
    if (!connected) return { connection, connected };
    const { memberId } = connection;
    try {
      await this.rematch.execute();
    } catch (error) {
      // The flags are durable: the next re-matching (at the latest the next start) finishes the work.
      this.logger.warn('could not re-match the meetings of a new member', {
        memberId,
        error: describeError(error),
      });
    }
    // After the re-matching, which skips meetings a sync's page holds: the member's own sync would hold them now.
    // Before the channel: the full sync lists while Google answers the watch (see OpenChannel).
    await this.scheduler.requestSync(memberId, { full: true });
    try {
      await this.openChannel.execute(connection, input.session);
    } catch (error) {
      // The connection still stands: the renewal job opens the channel of a member who has none.
      this.logger.warn('could not open a watch channel for a new connection', {
        memberId,
        error: describeError(error),
      });
    }
    this.logger.info('member connected', { memberId, via: connection.via });
    return { connection, connected };
  }
}
