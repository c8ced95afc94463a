import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import { GrantRevokedError } from '../errors';
import type { MemberRepository } from '../ports/member-repository.port';
import type { SyncScheduler } from '../ports/sync-scheduler.port';
import { TOKENS } from '../ports/tokens';
import { MemberSessions } from './member-sessions';
import { OpenChannel } from './open-channel.use-case';
import { RECONNECT_MESSAGE } from './sync-calendar.use-case';

export type ReconnectOutcome = { status: 'active' } | { status: 'needs_reconnect' };

/**
 * Admin "reconnect": when the stored grant still works (checked with a real call, refreshing the access token),
 * the member is active again with a new channel and a full sync; otherwise only the member can consent again.
 */
@injectable()
export class ReconnectMember {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(OpenChannel) private readonly openChannel: OpenChannel,
    @inject(TOKENS.SyncScheduler) private readonly scheduler: SyncScheduler,
  ) {}

  async execute(memberId: string): Promise<ReconnectOutcome> {
    const state = await this.members.syncState(memberId);
    if (state === null) throw new NotFoundError(`No member "${memberId}"`);
    const opened = this.sessions.open(state);
    if (opened === null) return { status: 'needs_reconnect' };
    try {
      await opened.session.primaryCalendar();
      await this.members.reactivate(memberId);
      await this.openChannel.execute(memberId, opened.session);
    } catch (error) {
      if (!(error instanceof GrantRevokedError)) throw error;
      await this.members.markNeedsReconnect(memberId, RECONNECT_MESSAGE);
      return { status: 'needs_reconnect' };
    } finally {
      await opened.saveRefreshed();
    }
    await this.scheduler.requestSync(memberId, { full: true });
    return { status: 'active' };
  }
}
