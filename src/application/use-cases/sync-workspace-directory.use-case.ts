import { inject, injectable } from 'inversify';

import { describeError } from '../errors';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import type { WorkspaceDirectory } from '../ports/workspace-directory.port';
import type { WorkspaceDomainRepository } from '../ports/workspace-domain-repository.port';
import { DisconnectMember } from './disconnect-member.use-case';
import { EnrolMembers } from './enrol-members.use-case';

export interface DirectorySyncOutcome {
  enrolled: number;
  disconnected: number;
  failed: number;
}

/**
 * WORKSPACE_SYNC_CRON: for each domain enrolled so far, the directory read whole, then its new active users
 * enrolled (and those the job disconnected before, back again), and members it had enrolled who are now suspended
 * or deleted disconnected (their interactions stay). Members who signed in themselves, or were disconnected by a
 * person, are left alone. A directory that cannot be read whole changes nothing for its domain.
 */
@injectable()
export class SyncWorkspaceDirectory {
  constructor(
    @inject(TOKENS.WorkspaceDirectory) private readonly directory: WorkspaceDirectory,
    @inject(TOKENS.WorkspaceDomainRepository) private readonly domains: WorkspaceDomainRepository,
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(EnrolMembers) private readonly enrol: EnrolMembers,
    @inject(DisconnectMember) private readonly disconnect: DisconnectMember,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<DirectorySyncOutcome> {
    const outcome: DirectorySyncOutcome = { enrolled: 0, disconnected: 0, failed: 0 };
    if (!this.directory.directoryConfigured) return outcome;
    for (const domain of await this.domains.list()) {
      let users;
      try {
        users = await this.directory.users(domain);
      } catch (error) {
        this.logger.warn('the Workspace directory could not be read; nothing changes for its domain', {
          domain,
          error: describeError(error),
        });
        await this.domains.synced(domain, describeError(error));
        continue;
      }
      const active = new Set(users.filter((user) => !user.suspended).map((user) => user.email));
      const members = new Map((await this.members.inDomain(domain)).map((member) => [member.email, member]));
      const newcomers = [...active].filter((email) => {
        const member = members.get(email);
        return (
          member === undefined || (member.status === 'disconnected' && member.reason === 'left_directory')
        );
      });
      const result = await this.enrol.enrolAll(newcomers);
      outcome.enrolled += result.enrolled.length;
      outcome.failed += result.failed.length;
      for (const member of members.values()) {
        if (active.has(member.email) || member.via !== 'delegation' || member.status === 'disconnected')
          continue;
        if (await this.disconnect.execute(member.memberId, 'left_directory')) outcome.disconnected++;
      }
      await this.domains.synced(domain, null);
    }
    if (outcome.enrolled + outcome.disconnected + outcome.failed > 0) {
      this.logger.info('Workspace directory synced', { ...outcome });
    }
    return outcome;
  }
}
