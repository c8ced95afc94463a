import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { ConnectionStatus, MemberRepository } from '../ports/member-repository.port';
import type { SyncScheduler } from '../ports/sync-scheduler.port';
import { TOKENS } from '../ports/tokens';

/** Admin "resync": a full sync of an active member's calendar, queued (the answer does not wait for it). */
@injectable()
export class RequestResync {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.SyncScheduler) private readonly scheduler: SyncScheduler,
  ) {}

  async execute(memberId: string): Promise<{ queued: boolean; status: ConnectionStatus }> {
    const member = await this.members.get(memberId);
    if (member === null) throw new NotFoundError(`No member "${memberId}"`);
    if (member.status !== 'active') return { queued: false, status: member.status };
    await this.scheduler.requestSync(memberId, { full: true });
    return { queued: true, status: member.status };
  }
}
