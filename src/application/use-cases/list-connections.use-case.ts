import { inject, injectable } from 'inversify';

import type { ConnectionView, MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';

@injectable()
export class ListConnections {
  constructor(@inject(TOKENS.MemberRepository) private readonly members: MemberRepository) {}

  execute(): Promise<ConnectionView[]> {
    return this.members.list();
  }
}
