import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import { describeError, reconnectReasonOf } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import type { SyncScheduler } from '../ports/sync-scheduler.port';
import { TOKENS } from '../ports/tokens';
import { OpenChannel } from './open-channel.use-case';

export type ReconnectOutcome = { status: 'active' } | { status: 'needs_reconnect' };

/**
 * Admin "reconnect": when the stored grant still works (checked with a real call, refreshing the access token),
 * the member is active again with a full sync queued and a new channel; otherwise only the member can consent
 * again. Google unreachable or rate limiting changes nothing (the error goes back to the caller, a 503). A channel
 * that fails to open leaves the member active, its sync queued, and the problem shown; the renewal job retries it.
 */
@injectable()
export class ReconnectMember {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(OpenChannel) private readonly openChannel: OpenChannel,
    @inject(TOKENS.SyncScheduler) private readonly scheduler: SyncScheduler,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(memberId: string): Promise<ReconnectOutcome> {
    const connection = await this.members.load(memberId);
    if (connection === null) throw new NotFoundError(`No member "${memberId}"`);
    if (connection.status === 'disconnected') return { status: 'needs_reconnect' };
    const opened = await this.sessions.open(connection);
    if (opened === null) return { status: 'needs_reconnect' };
    try {
      await opened.session.primaryCalendar();
    } catch (error) {
      await opened.saveRefreshed();
      // Google unreachable, limiting or refusing our setup: nothing changes, the caller hears why.
      if (reconnectReasonOf(error) === null) throw error;
      await this.sessions.recordFault(connection, error, 'Reconnect failed');
      return { status: 'needs_reconnect' };
    }
    // Saved under the version read above: a Disconnect meanwhile wins, and the member must consent again.
    if (!connection.grantConfirmed() || !(await this.members.save(connection))) {
      return { status: 'needs_reconnect' };
    }
    // Requested first, the full sync lists while Google answers the watch (see OpenChannel).
    await this.scheduler.requestSync(memberId, { full: true });
    try {
      await this.openChannel.execute(connection, opened.session);
    } catch (error) {
      this.logger.warn('reconnected, but the watch channel did not open', {
        memberId,
        error: describeError(error),
      });
      const fault = await this.sessions.recordFault(connection, error, 'Could not open the push channel');
      if (fault === 'needs_reconnect') return { status: 'needs_reconnect' };
    } finally {
      await opened.saveRefreshed();
    }
    return { status: 'active' };
  }
}
