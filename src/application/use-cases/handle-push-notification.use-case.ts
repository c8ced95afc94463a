import { inject, injectable } from 'inversify';

import type { ChannelTokens } from '../ports/channel-tokens.port';
import type { NotificationInbox } from '../ports/notification-inbox.port';
import { TOKENS } from '../ports/tokens';

export type ResourceState = 'sync' | 'exists' | 'not_exists';

export interface PushNotification {
  channelId: string;
  token: string;
  resourceId: string;
  state: ResourceState;
}

export type PushOutcome = 'accepted' | 'bad_token' | 'unknown_channel';

/**
 * A Google push: the token is checked first (no database work for forgeries), then the channel and resource in
 * one batched statement that also marks the calendar as needing a sync (the inbox wakes the sync workers when it
 * wrote a mark). The sync itself runs after the answer.
 */
@injectable()
export class HandlePushNotification {
  constructor(
    @inject(TOKENS.ChannelTokens) private readonly tokens: ChannelTokens,
    @inject(TOKENS.NotificationInbox) private readonly inbox: NotificationInbox,
  ) {}

  async execute(notification: PushNotification): Promise<PushOutcome> {
    if (!this.tokens.verify(notification.channelId, notification.token)) return 'bad_token';
    const markForSync = notification.state !== 'sync';
    const live = await this.inbox.accept({
      channelId: notification.channelId,
      resourceId: notification.resourceId,
      markForSync,
    });
    return live ? 'accepted' : 'unknown_channel';
  }
}
