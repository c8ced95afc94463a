import { inject, injectable } from 'inversify';

import { MemberSessions } from '../member-sessions';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';

/**
 * At start: members whose stored credentials no longer open (SECRET_KEY changed) are shown `needs_reconnect` at
 * once, with that reason, rather than at their next sync. Their credentials are kept: with the old key back,
 * an admin's reconnect revives them.
 */
@injectable()
export class CheckStoredCredentials {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ unreadable: number }> {
    let unreadable = 0;
    for (const connection of await this.members.withCredentials()) {
      if (this.sessions.unseal(connection) !== null) continue;
      unreadable++;
      if (connection.grantRefused('credentials_unreadable')) await this.members.save(connection);
    }
    if (unreadable > 0) {
      this.logger.error(
        'stored Google credentials cannot be decrypted (SECRET_KEY changed?): members must reconnect',
        {
          members: unreadable,
        },
      );
    }
    return { unreadable };
  }
}
