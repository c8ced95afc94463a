import { inject, injectable } from 'inversify';

import type {
  MeetingRepository,
  TimelineCursor,
  UnmatchedMeetingPage,
} from '../ports/meeting-repository.port';
import { TOKENS } from '../ports/tokens';

/** Meetings with an outside attendee no account matched, newest first: what to fix in the account data. */
@injectable()
export class ListUnmatchedMeetings {
  constructor(@inject(TOKENS.MeetingRepository) private readonly meetings: MeetingRepository) {}

  execute(limit: number, after: TimelineCursor | null): Promise<UnmatchedMeetingPage> {
    return this.meetings.listUnmatched(limit, after);
  }
}
