import { inject, injectable } from 'inversify';

import { Email } from '../../domain/email';
import {
  DelegationNotConfiguredError,
  describeError,
  GoogleSetupError,
  GoogleUnavailableError,
  RateLimitedError,
} from '../errors';
import type { CalendarGateway } from '../ports/calendar-gateway.port';
import type { Logger } from '../ports/logger.port';
import type { MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import type { WorkspaceDirectory } from '../ports/workspace-directory.port';
import type { WorkspaceDomainRepository } from '../ports/workspace-domain-repository.port';
import { ConnectMember } from './connect-member.use-case';

export type EnrolRequest = { emails: readonly string[] } | { domain: string };

export interface EnrolOutcome {
  enrolled: { memberId: string; email: string }[];
  failed: { email: string; reason: string }[];
}

/** Members enrolled at once: each costs a token request, `calendars.get` and `events.watch`. */
const CONCURRENCY = 8;

/**
 * POST /api/members: connects Workspace users through the domain-wide delegation, without their consent screens:
 * for each, a token, their primary calendar checked, a channel opened and a first full sync requested, as after a
 * sign-in. A member already active (however connected) is left as they are. A domain is read from the directory
 * (its active users) and remembered for the directory sync job.
 */
@injectable()
export class EnrolMembers {
  constructor(
    @inject(TOKENS.WorkspaceDirectory) private readonly directory: WorkspaceDirectory,
    @inject(TOKENS.WorkspaceDomainRepository) private readonly domains: WorkspaceDomainRepository,
    @inject(TOKENS.CalendarGateway) private readonly gateway: CalendarGateway,
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(ConnectMember) private readonly connect: ConnectMember,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(request: EnrolRequest): Promise<EnrolOutcome> {
    if (!this.directory.delegationConfigured) {
      throw new DelegationNotConfiguredError(
        'Domain-wide delegation is not configured: set GOOGLE_SERVICE_ACCOUNT_KEY to the JSON key of a service ' +
          'account authorised for it in the Workspace Admin console',
      );
    }
    if ('domain' in request) {
      const users = await this.directory.users(request.domain);
      await this.domains.add(request.domain);
      return this.enrolAll(users.filter((user) => !user.suspended).map((user) => user.email));
    }
    return this.enrolAll([...new Set(request.emails.map((email) => email.toLowerCase()))]);
  }

  /** Enrols each email, a few at a time; the outcome lists them in the order given. */
  async enrolAll(emails: readonly string[]): Promise<EnrolOutcome> {
    const results: ({ memberId: string; email: string } | { email: string; reason: string })[] = [];
    let next = 0;
    const worker = async () => {
      while (next < emails.length) {
        const index = next++;
        results[index] = await this.enrolOne(emails[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, emails.length) }, worker));
    const outcome: EnrolOutcome = { enrolled: [], failed: [] };
    for (const result of results) {
      if ('reason' in result) outcome.failed.push(result);
      else outcome.enrolled.push(result);
    }
    if (outcome.enrolled.length + outcome.failed.length > 0) {
      this.logger.info('members enrolled through domain-wide delegation', {
        enrolled: outcome.enrolled.length,
        failed: outcome.failed.length,
      });
    }
    return outcome;
  }

  private async enrolOne(
    email: string,
  ): Promise<{ memberId: string; email: string } | { email: string; reason: string }> {
    const known = await this.members.findByEmail(email);
    if (known?.status === 'active') return { memberId: known.memberId, email };
    const session = this.gateway.delegatedSession(email, known?.memberId ?? null);
    let primary;
    try {
      primary = await session.primaryCalendar();
    } catch (error) {
      // The service account's key or the project is at fault: the same for every email, the operator must act.
      if (error instanceof GoogleSetupError) throw error;
      const reason =
        error instanceof GoogleUnavailableError || error instanceof RateLimitedError
          ? `Google could not be reached or asked us to slow down; try again (${describeError(error)})`
          : describeError(error);
      return { email, reason };
    }
    const calendarEmail = Email.parse(primary.id)?.value ?? email;
    const { connection } = await this.connect.execute({
      email: calendarEmail,
      timeZone: primary.timeZone,
      session,
      grant: (member) => member.delegated(),
    });
    return { memberId: connection.memberId, email: connection.email };
  }
}
