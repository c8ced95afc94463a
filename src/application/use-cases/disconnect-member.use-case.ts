import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import { describeError } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { CalendarGateway, GoogleCredentials } from '../ports/calendar-gateway.port';
import type { ChannelRef, ChannelRepository } from '../ports/channel-repository.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import { TOKENS } from '../ports/tokens';

/** Tries against members that keep changing under a Disconnect (a sync refreshing a token, a renewal). */
const MAX_ATTEMPTS = 5;

/**
 * "Disconnect": the stored tokens are deleted and every sync of the member ends first, so that no work in flight
 * writes them again; then, with the tokens read before, the channels are stopped and the grant revoked at Google
 * (best effort: Google being unreachable does not block a Disconnect). Meetings and interactions stay.
 */
@injectable()
export class DisconnectMember {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.ChannelRepository) private readonly channels: ChannelRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(TOKENS.CalendarGateway) private readonly gateway: CalendarGateway,
    @inject(TOKENS.OAuthGateway) private readonly oauth: OAuthGateway,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(memberId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.members.load(memberId);
      if (connection === null) throw new NotFoundError(`No member "${memberId}"`);
      const credentials = this.sessions.unseal(connection);
      connection.disconnected();
      if (await this.members.save(connection)) {
        await this.cleanUpAtGoogle(memberId, await this.channels.stopAll(memberId), credentials);
        this.logger.info('member disconnected', { memberId });
        return;
      }
      if (attempt === MAX_ATTEMPTS) throw new Error('the member kept changing during Disconnect; try again');
    }
  }

  private async cleanUpAtGoogle(
    memberId: string,
    channels: ChannelRef[],
    credentials: GoogleCredentials | null,
  ): Promise<void> {
    if (credentials === null) return;
    const session = this.gateway.session(credentials, memberId);
    for (const channel of channels) {
      await session.stopChannel(channel.id, channel.resourceId).catch((error: unknown) =>
        this.logger.warn('could not stop a channel of a disconnected member; it expires at Google', {
          memberId,
          error: describeError(error),
        }),
      );
    }
    const token = credentials.refreshToken ?? credentials.accessToken;
    if (token !== null) await this.oauth.revoke(token);
  }
}
