import { inject, injectable } from 'inversify';

import { describeError, GrantRevokedError } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { ChannelRepository } from '../ports/channel-repository.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import { type ChannelSettings, OpenChannel } from './open-channel.use-case';

/** Members renewed per claim; a run claims batch after batch until none is due. */
const CLAIM_BATCH = 20;
/**
 * Members of a batch renewed at once. A renewal (a watch and a stop at Google, a few statements) takes 20-80 ms
 * against the sandbox on 2 cores and ~0.3 s with Google's latency: one at a time, 2,000 channels coming due
 * together would take a run minutes, and channels coming due faster than that would lapse before their turn.
 */
const RENEW_CONCURRENCY = 4;
/**
 * Long enough for a batch to renew; a crashed instance's claims lapse after it. A member whose renewal failed
 * keeps its claim until then, so that the run that failed it does not claim it again at once.
 */
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
      const connection = await this.members.load(channel.memberId);
      const opened = connection === null ? null : await this.sessions.open(connection);
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
    const connection = await this.members.load(memberId);
    const opened = connection?.canSync ? await this.sessions.open(connection) : null;
    if (connection === null || opened === null) {
      await this.channels.releaseMember(memberId);
      return false;
    }
    try {
      const channel = await this.openChannel.execute(connection, opened.session);
      await this.channels.releaseMember(memberId);
      return channel !== null;
    } catch (error) {
      if (error instanceof GrantRevokedError) {
        if (connection.grantRefused('grant_revoked')) await this.members.save(connection);
      } else if (connection.problem(`Could not renew the push channel: ${describeError(error)}`)) {
        await this.members.save(connection);
      }
      this.logger.warn('channel renewal failed', { memberId, error: describeError(error) });
      return false;
    } finally {
      await opened.saveRefreshed();
    }
  }
}
