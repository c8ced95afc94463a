import { inject, injectable } from 'inversify';

import type { MeetingRepository } from '../ports/meeting-repository.port';
import type { ConnectionView, MemberRepository } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';

export interface Profile {
  connection: ConnectionView;
  meetings: number;
  interactions: number;
}

/** What "My Profile" shows a signed-in member. */
@injectable()
export class GetProfile {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository,
  ) {}

  async execute(memberId: string): Promise<Profile | null> {
    const connection = await this.members.get(memberId);
    if (connection === null) return null;
    return { connection, ...(await this.meetings.countForMember(memberId)) };
  }
}
