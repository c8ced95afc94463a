import { randomUUID } from 'node:crypto';

import { inject, injectable } from 'inversify';

import type { MemberConnection } from '../../domain/member-connection';
import { describeError, isRetryableGoogleError } from '../errors';
import type { CalendarSession, WatchChannel } from '../ports/calendar-gateway.port';
import type { ChannelRef, ChannelRepository } from '../ports/channel-repository.port';
import type { ChannelTokens } from '../ports/channel-tokens.port';
import type { Logger } from '../ports/logger.port';
import type { SyncScheduler } from '../ports/sync-scheduler.port';
import { TOKENS } from '../ports/tokens';
import type { RetryPolicy } from '../retry-policy';

export interface ChannelSettings {
  /** `PUBLIC_URL/webhooks/google/calendar` */
  webhookUrl: string;
  ttlSeconds: number;
  renewBeforeSeconds: number;
}

/**
 * Opens a new watch channel on a member's calendar, then stops the channels it replaces: Google delivers to both
 * for a moment, which is harmless; a gap would not be. A stop that fails is kept and retried later. A channel
 * opened for a connection that changed meanwhile (a Disconnect) is not stored but stopped at once.
 */
@injectable()
export class OpenChannel {
  constructor(
    @inject(TOKENS.ChannelSettings) private readonly settings: ChannelSettings,
    @inject(TOKENS.ChannelRepository) private readonly channels: ChannelRepository,
    @inject(TOKENS.ChannelTokens) private readonly tokens: ChannelTokens,
    @inject(TOKENS.RetryPolicy) private readonly retry: RetryPolicy,
    @inject(TOKENS.SyncScheduler) private readonly scheduler: SyncScheduler,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  /**
   * The channel opened, or null when the connection changed (a Disconnect) before it could be stored.
   *
   * When the calendar had no live channel until this one (a new connection, or one whose channel lapsed or never
   * opened), a change made meanwhile was pushed to nobody: a sync is requested once the channel is open. At a
   * sign-in the full sync, requested first, lists while Google answers the watch; the queue folds this request into
   * it when it began later, and otherwise runs it after it (incremental, one `events.list` with the new token).
   */
  async execute(
    connection: MemberConnection,
    session: CalendarSession,
  ): Promise<{ channelId: string; expiresAt: Date } | null> {
    const { memberId } = connection;
    const channelId = randomUUID();
    // Stored before the watch call: Google may send the channel's sync message before it answers.
    if (!(await this.channels.reserve({ id: channelId, memberId }, connection.version))) return null;
    let opened: WatchChannel;
    try {
      opened = await this.retry.run(() =>
        session.watch({
          channelId,
          token: this.tokens.sign(channelId),
          address: this.settings.webhookUrl,
          ttlSeconds: this.settings.ttlSeconds,
        }),
      );
    } catch (error) {
      await this.channels.abandon(channelId);
      throw error;
    }
    const channel = { id: channelId, memberId, resourceId: opened.resourceId };
    if (!(await this.channels.confirm({ ...channel, expiresAt: opened.expiresAt }))) {
      this.logger.info('watch channel opened for a connection that changed meanwhile: stopped', { memberId });
      await session.stopChannel(channel.id, channel.resourceId).catch(() => undefined);
      return null;
    }
    const replaced = await this.channels.supersedeOthers(memberId, channelId);
    if (!replaced.some((old) => old.wasLive)) await this.catchUp(memberId);
    for (const old of replaced) await this.stop(old, session);
    this.logger.info('watch channel opened', {
      memberId,
      channelId,
      expiresAt: opened.expiresAt.toISOString(),
    });
    return { channelId, expiresAt: opened.expiresAt };
  }

  private async catchUp(memberId: string): Promise<void> {
    try {
      await this.scheduler.requestSync(memberId);
    } catch (error) {
      // The channel is open: the next push or safety sync lists what this one would have.
      this.logger.warn('could not request a sync after opening a channel', {
        memberId,
        error: describeError(error),
      });
    }
  }

  /** Stops a channel; Google not knowing it (any 4xx) counts as stopped, an outage is retried on the next run. */
  async stop(channel: ChannelRef, session: CalendarSession): Promise<boolean> {
    try {
      await this.retry.run(() => session.stopChannel(channel.id, channel.resourceId));
    } catch (error) {
      if (isRetryableGoogleError(error)) {
        await this.channels.recordStopFailure(channel.id, error.message);
        this.logger.warn('could not stop a watch channel; will retry', {
          channelId: channel.id,
          error: describeError(error),
        });
        return false;
      }
    }
    await this.channels.markStopped(channel.id);
    return true;
  }
}
