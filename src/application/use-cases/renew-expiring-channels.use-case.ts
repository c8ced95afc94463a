import { inject, injectable } from 'inversify';

import { GrantRevokedError } from '../errors';
import type { ChannelRepository } from '../ports/channel-repository.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import { MemberSessions } from './member-sessions';
import { type ChannelSettings, OpenChannel } from './open-channel.use-case';
import { RECONNECT_MESSAGE, describeError } from './sync-calendar.use-case';

/** Members renewed per claim; a run claims batch after batch until none is due. */
const CLAIM_BATCH = 20;
/**
 * Members of a batch renewed at once. One at a time, a renewal (a watch and a stop at Google, a few statements)
 * took 20-80 ms against the sandbox on 2 cores and ~0.3 s with Google's latency: 2,000 channels coming due
 * together took one run minutes (~10 at Google), and channels lapsed before their turn when they came due faster
 * than that (found by test/reliability/scale.spec.ts).
 */
const RENEW_CONCURRENCY = 4;
/** Long enough for a batch to renew; a crashed instance's claims lapse after it. */
const CLAIM_LEASE_MS = 5 * 60_000;

/**
 * Renews the channels of every active member whose live channel expires within RENEW_BEFORE_SECONDS (or who has
 * none, e.g. when opening one failed at sign-in): new channel first, then the old one is stopped. Each member is
 * claimed by one instance; stops that failed before are retried first.
 */
@injectable()
export class RenewExpiringChannels {
  constructor(
    @inject(TOKENS.ChannelSettings) private readonly settings: ChannelSettings,
    @inject(TOKENS.ChannelRepository) private readonly channels: ChannelRepository,
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(OpenChannel) private readonly openChannel: OpenChannel,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ renewed: number; stopped: number }> {
    let stopped = 0;
    for (const channel of await this.channels.stopBacklog(100)) {
      const state = await this.members.syncState(channel.memberId);
      const opened = state === null ? null : this.sessions.open(state);
      if (opened === null) {
        // Without credentials Google cannot be asked any more: the channel expires there, and we refuse it here.
        await this.channels.markStopped(channel.id);
        stopped++;
      } else if (await this.openChannel.stop(channel, opened.session)) stopped++;
    }

    let renewed = 0;
    for (;;) {
      const renewBefore = new Date(this.clock.now().getTime() + this.settings.renewBeforeSeconds * 1000);
      const claimed = await this.channels.claimMembersToRenew(renewBefore, CLAIM_LEASE_MS, CLAIM_BATCH);
      if (claimed.length === 0) break;
      let next = 0;
      const lanes = Array.from({ length: Math.min(RENEW_CONCURRENCY, claimed.length) }, async () => {
        while (next < claimed.length) if (await this.renew(claimed[next++]!)) renewed++;
      });
      // Every lane finishes (and releases its members) before a failure is passed on.
      const failure = (await Promise.allSettled(lanes)).find((lane) => lane.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    }
    if (renewed + stopped > 0) this.logger.info('channels renewed', { renewed, stopped });
    return { renewed, stopped };
  }

  private async renew(memberId: string): Promise<boolean> {
    const state = await this.members.syncState(memberId);
    const opened = state === null || state.status !== 'active' ? null : this.sessions.open(state);
    if (opened === null) {
      await this.channels.releaseMember(memberId);
      return false;
    }
    try {
      await this.openChannel.execute(memberId, opened.session);
      return true;
    } catch (error) {
      if (error instanceof GrantRevokedError)
        await this.members.markNeedsReconnect(memberId, RECONNECT_MESSAGE);
      else
        await this.members.recordSyncError(
          memberId,
          `Could not renew the push channel: ${describeError(error)}`,
        );
      this.logger.warn('channel renewal failed', { memberId, error: describeError(error) });
      return false;
    } finally {
      await opened.saveRefreshed();
      // The claim ends either way; a member that failed is due again on the next run.
      await this.channels.releaseMember(memberId);
    }
  }
}
