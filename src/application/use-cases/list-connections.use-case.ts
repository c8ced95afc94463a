import { inject, injectable } from 'inversify';

import type { MemberConnection, MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';

@injectable()
export class ListConnections {
  constructor(@inject(TOKENS.MemberRepository) private readonly members: MemberRepository) {}

  execute(): Promise<MemberConnection[]> {
    return this.members.list();
  }
}
