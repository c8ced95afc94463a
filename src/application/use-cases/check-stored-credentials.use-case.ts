import { inject, injectable } from 'inversify';

import { MemberSessions } from '../member-sessions';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import type { WorkspaceDirectory } from '../ports/workspace-directory.port';

/**
 * At start: members whose stored credentials no longer open (SECRET_KEY changed), and members enrolled through
 * delegation when GOOGLE_SERVICE_ACCOUNT_KEY is no longer set, are shown `needs_reconnect` at once, with that
 * reason, rather than at their next sync. Credentials are kept: with the old key back, an admin's reconnect
 * revives them.
 */
@injectable()
export class CheckStoredCredentials {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(TOKENS.WorkspaceDirectory) private readonly directory: WorkspaceDirectory,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ unreadable: number; undelegated: number }> {
    let unreadable = 0;
    let undelegated = 0;
    for (const connection of await this.members.withGrant()) {
      if (connection.via === 'delegation') {
        if (this.directory.delegationConfigured) continue;
        undelegated++;
        if (connection.grantRefused('delegation_withdrawn')) await this.members.save(connection);
        continue;
      }
      if (this.sessions.unseal(connection) !== null) continue;
      unreadable++;
      if (connection.grantRefused('credentials_unreadable')) await this.members.save(connection);
    }
    if (undelegated > 0) {
      this.logger.error(
        'members were enrolled through domain-wide delegation, but GOOGLE_SERVICE_ACCOUNT_KEY is not set',
        { members: undelegated },
      );
    }
    if (unreadable > 0) {
      this.logger.error(
        'stored Google credentials cannot be decrypted (SECRET_KEY changed?): members must reconnect',
        {
          members: unreadable,
        },
      );
    }
    return { unreadable, undelegated };
  }
}
