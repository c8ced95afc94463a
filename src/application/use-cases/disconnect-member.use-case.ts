import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { ChannelRepository } from '../ports/channel-repository.port';
import type { GoogleCredentials } from '../ports/calendar-gateway.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import type { TokenCipher } from '../ports/token-cipher.port';
import { TOKENS } from '../ports/tokens';
import { MemberSessions } from './member-sessions';
import { OpenChannel } from './open-channel.use-case';

/**
 * "Disconnect": stops the member's channels, revokes the grant at Google, deletes the stored tokens. Meetings and
 * interactions stay. Google being unreachable does not block it: the tokens are deleted here either way.
 */
@injectable()
export class DisconnectMember {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.ChannelRepository) private readonly channels: ChannelRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(OpenChannel) private readonly openChannel: OpenChannel,
    @inject(TOKENS.OAuthGateway) private readonly oauth: OAuthGateway,
    @inject(TOKENS.TokenCipher) private readonly cipher: TokenCipher,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(memberId: string): Promise<void> {
    const state = await this.members.syncState(memberId);
    if (state === null) throw new NotFoundError(`No member "${memberId}"`);
    const opened = this.sessions.open(state);
    if (opened !== null) {
      for (const channel of await this.channels.unstopped(memberId)) {
        await this.openChannel.stop(channel, opened.session).catch(() => false);
      }
      const stored = JSON.parse(this.cipher.decrypt(state.credentials!, memberId)) as GoogleCredentials;
      const token = stored.refreshToken ?? stored.accessToken;
      if (token !== null) await this.oauth.revoke(token);
    }
    await this.members.markDisconnected(memberId);
    this.logger.info('member disconnected', { memberId });
  }
}
