import { inject, injectable } from 'inversify';

import { describeError } from '../errors';
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
/** Long enough for a batch to renew; a crashed instance's claims lapse after it. */
const CLAIM_LEASE_MS = 5 * 60_000;

export interface RenewalResult {
  /** New channels opened. */
  renewed: number;
  /** Members whose renewal Google refused or failed: kept in `lastError`, tried again later. */
  failed: number;
  /** Superseded channels stopped at last. */
  stopped: number;
}

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

  /**
   * One run: each due member is tried at most once, then the run ends, whatever Google answers. With a
   * `deadline` (an admin waiting for the answer) no new batch is claimed after it; the members left are due for
   * the next run. The counts go into `result` as they grow, for a caller that cannot wait for the end.
   */
  async execute(options: { deadline?: Date; result?: RenewalResult } = {}): Promise<RenewalResult> {
    const result = options.result ?? { renewed: 0, failed: 0, stopped: 0 };
    for (const channel of await this.channels.stopBacklog(100)) {
      const connection = await this.members.load(channel.memberId);
      const opened = connection === null ? null : await this.sessions.open(connection);
      if (opened === null) {
        // Without credentials Google cannot be asked any more: the channel expires there, and we refuse it here.
        await this.channels.markStopped(channel.id);
        result.stopped++;
      } else if (await this.openChannel.stop(channel, opened.session)) result.stopped++;
    }

    const tried: string[] = [];
    while (options.deadline === undefined || this.clock.now() < options.deadline) {
      const renewBefore = new Date(this.clock.now().getTime() + this.settings.renewBeforeSeconds * 1000);
      const claimed = await this.channels.claimMembersToRenew(
        renewBefore,
        CLAIM_LEASE_MS,
        CLAIM_BATCH,
        tried,
      );
      if (claimed.length === 0) break;
      tried.push(...claimed);
      let next = 0;
      const lanes = Array.from({ length: Math.min(RENEW_CONCURRENCY, claimed.length) }, async () => {
        while (next < claimed.length) {
          const outcome = await this.renew(claimed[next++]!);
          if (outcome !== 'skipped') result[outcome]++;
        }
      });
      // Every lane finishes (and releases its members) before a failure is passed on.
      const failure = (await Promise.allSettled(lanes)).find((lane) => lane.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    }
    if (result.renewed + result.failed + result.stopped > 0)
      this.logger.info('channels renewed', { ...result });
    return result;
  }

  private async renew(memberId: string): Promise<'renewed' | 'failed' | 'skipped'> {
    const connection = await this.members.load(memberId);
    const opened = connection?.canSync ? await this.sessions.open(connection) : null;
    if (connection === null || opened === null) {
      await this.channels.releaseMember(memberId);
      return 'skipped';
    }
    try {
      const channel = await this.openChannel.execute(connection, opened.session);
      if (channel === null) await this.channels.releaseMember(memberId);
      return channel === null ? 'skipped' : 'renewed';
    } catch (error) {
      if (
        (await this.sessions.recordFault(connection, error, 'Could not renew the push channel')) === 'stale'
      ) {
        // The member disconnected (or signed in again) meanwhile: that is what failed, not the renewal.
        await this.channels.releaseMember(memberId);
        return 'skipped';
      }
      // Tried again by a later run, after a pause that grows with each failure in a row.
      await this.channels.deferMember(memberId);
      this.logger.warn('channel renewal failed', { memberId, error: describeError(error) });
      return 'failed';
    } finally {
      await opened.saveRefreshed();
    }
  }
}
