import type { EventAttendee, MatchedMeeting, MeetingSnapshot, Participant } from '../../domain/meeting';

/** A meeting copy from one member's calendar, matched and ready to store. */
export interface MatchedCopy {
  eventId: string;
  /** The series of a recurring instance (cancelling the series removes the copy). */
  seriesId: string | null;
  meeting: MeetingSnapshot;
  matched: MatchedMeeting;
  /** `e:<email>` and `d:<domain>` keys whose account data can change this meeting's matches. */
  matchKeys: string[];
}

export interface MeetingToRematch {
  meetingId: string;
  attendees: EventAttendee[];
}

export interface RematchResult {
  meetingId: string;
  matched: MatchedMeeting;
  matchKeys: string[];
}

export interface InteractionView {
  id: string;
  accountId: string;
  type: 'Google calendar';
  /** '' when the meeting is private. */
  title: string;
  private: boolean;
  date: string;
  startTime: string;
  durationMinutes: number;
  matchedBy: 'contact' | 'domain';
  participants: (Participant & { minutesInMeeting: number })[];
}

export interface UnmatchedMeetingView {
  id: string;
  title: string;
  private: boolean;
  startTime: string;
  durationMinutes: number;
  reason: 'no_match' | 'ambiguous_domain';
  candidateAccountIds: string[];
  /** The outside attendees (not internal, not a member, not a room) who matched no account: what to fix. */
  unmatchedEmails: string[];
  /** The accounts the meeting is recorded on all the same (its other attendees matched them), sorted. */
  matchedAccountIds: string[];
  participants: (Participant & { minutesInMeeting: number })[];
}

export interface UnmatchedMeetingPage extends Page<UnmatchedMeetingView> {
  /** The name of every account the page's meetings name (matched or candidate), by id, for pages to show. */
  accountNames: ReadonlyMap<string, string>;
}

/** Position after the last item of a page: newest first by start, then id. */
export interface TimelineCursor {
  startTime: string;
  id: string;
}

export interface Page<T> {
  items: T[];
  next: TimelineCursor | null;
}

export interface InteractionFilter {
  accountId: string;
  from: Date | null;
  to: Date | null;
  /** Dates (YYYY-MM-DD) compare with the interaction's local `date`; instants with its start. */
  fromDate: string | null;
  toDate: string | null;
  limit: number;
  after: TimelineCursor | null;
}

/** Position after the last item of a page of every account's interactions: by account, then start, then id. */
export interface AccountTimelineCursor {
  accountId: string;
  startTime: string;
  id: string;
}

/** Interactions of every account whose local `date` is within the days given (inclusive; null: unbounded). */
export interface DatedInteractionFilter {
  fromDate: string | null;
  toDate: string | null;
  limit: number;
  after: AccountTimelineCursor | null;
}

export interface AccountInteractionView extends InteractionView {
  accountName: string;
}

export interface MeetingRepository {
  /**
   * Takes the lock that orders meeting matching against account/contact changes: `share` while matching with
   * lookups just read, `exclusive` while changing accounts or contacts. Inside a transaction only.
   */
  lockMatchingData(mode: 'share' | 'exclusive'): Promise<void>;
  /** Stores copies: a meeting takes the data of its most recently updated copy; its interactions follow. */
  saveCopies(memberId: string, generation: number | null, copies: readonly MatchedCopy[]): Promise<void>;
  /** Forgets these events of the member's calendar; a meeting no calendar holds any more is deleted. */
  removeCopies(memberId: string, eventIds: readonly string[]): Promise<void>;
  /**
   * After a full sync: forgets the member's copies starting at or after `windowStart` that this generation did
   * not see (deleted while we were not listening).
   */
  removeUnseenCopies(memberId: string, generation: number, windowStart: Date): Promise<void>;
  /** Marks every meeting one of these keys touches as needing a new match. */
  flagForRematch(matchKeys: readonly string[]): Promise<number>;
  /** Claims up to `limit` flagged meetings (locked until the transaction ends). */
  claimRematch(limit: number): Promise<MeetingToRematch[]>;
  saveRematch(results: readonly RematchResult[]): Promise<void>;
  /** An account's interactions, newest first; null when there is no such account. */
  listInteractions(filter: InteractionFilter): Promise<Page<InteractionView> | null>;
  listUnmatched(limit: number, after: TimelineCursor | null): Promise<UnmatchedMeetingPage>;
  /** Every interaction of every account, by id, starting after `afterId`; `next` is the last id of a full page. */
  listAllInteractions(
    limit: number,
    afterId: string | null,
  ): Promise<{ items: InteractionView[]; next: string | null }>;
  /** Every account's interactions within the days, by account id, then oldest first. */
  listInteractionsByDate(
    filter: DatedInteractionFilter,
  ): Promise<{ items: AccountInteractionView[]; next: AccountTimelineCursor | null }>;
  /** Counts of what a member's calendar gave. */
  countForMember(memberId: string): Promise<{ meetings: number; interactions: number }>;
}
