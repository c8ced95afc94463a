import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import { describeError } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { DisconnectCause, MemberConnection } from '../../domain/member-connection';
import type { CalendarGateway, CalendarSession, GoogleCredentials } from '../ports/calendar-gateway.port';
import type { ChannelRef, ChannelRepository } from '../ports/channel-repository.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import { TOKENS } from '../ports/tokens';

type GoogleAccess = { credentials: GoogleCredentials } | { delegatedAs: string };

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

  /**
   * `left_directory`: the directory sync found a delegated member suspended or deleted; anyone else is left as
   * they are (false). Otherwise the member's or an admin's Disconnect (always true).
   */
  async execute(memberId: string, cause?: DisconnectCause): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.members.load(memberId);
      if (connection === null) throw new NotFoundError(`No member "${memberId}"`);
      const access = this.accessOf(connection);
      if (cause === undefined) connection.disconnected();
      else if (!connection.leftDirectory()) return false;
      if (await this.members.save(connection)) {
        await this.cleanUpAtGoogle(memberId, await this.channels.stopAll(memberId), access);
        this.logger.info('member disconnected', { memberId, ...(cause === undefined ? {} : { cause }) });
        return true;
      }
      if (attempt === MAX_ATTEMPTS) throw new Error('the member kept changing during Disconnect; try again');
    }
  }

  /** What can still act at Google once the connection is ended: the tokens read before, or the delegation. */
  private accessOf(connection: MemberConnection): GoogleAccess | null {
    if (connection.via === 'delegation') return { delegatedAs: connection.email };
    const credentials = this.sessions.unseal(connection);
    return credentials === null ? null : { credentials };
  }

  private async cleanUpAtGoogle(
    memberId: string,
    channels: ChannelRef[],
    access: GoogleAccess | null,
  ): Promise<void> {
    if (access === null) return;
    let session: CalendarSession;
    try {
      session =
        'credentials' in access
          ? this.gateway.session(access.credentials, memberId)
          : this.gateway.delegatedSession(access.delegatedAs, memberId);
    } catch (error) {
      this.logger.warn('cannot stop the channels of a disconnected member; they expire at Google', {
        memberId,
        error: describeError(error),
      });
      return;
    }
    for (const channel of channels) {
      await session.stopChannel(channel.id, channel.resourceId).catch((error: unknown) =>
        this.logger.warn('could not stop a channel of a disconnected member; it expires at Google', {
          memberId,
          error: describeError(error),
        }),
      );
    }
    // A delegated member's access is the Workspace's to withdraw, not ours to revoke.
    if (!('credentials' in access)) return;
    const token = access.credentials.refreshToken ?? access.credentials.accessToken;
    if (token !== null) await this.oauth.revoke(token);
  }
}
