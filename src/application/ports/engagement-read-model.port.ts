import type { WeekCount } from '../../domain/engagement';

/** A meeting as the engagement figures name it: when, and its title ('' when private). */
export interface MeetingMention {
  at: Date;
  title: string;
  private: boolean;
}

export interface MemberMeetings {
  email: string;
  meetings: number;
}

/**
 * How we meet one account. Past means started at or before `now`; a meeting counts once per account however many
 * members attended it, and only where it is recorded as an interaction (declined and non-meeting events never are).
 */
export interface AccountEngagement {
  accountId: string;
  name: string;
  domains: string[];
  lastMeeting: MeetingMention | null;
  nextMeeting: MeetingMention | null;
  meetings30d: number;
  meetings90d: number;
  weekly: WeekCount[];
  /** Members by the past meetings with the account their calendars hold, most first (then by email). */
  topMembers: MemberMeetings[];
}

export const ENGAGEMENT_SORTS = [
  'name',
  'lastMeeting',
  'nextMeeting',
  'meetings30d',
  'meetings90d',
  'topMember',
] as const;
export type EngagementSort = (typeof ENGAGEMENT_SORTS)[number];

/** Position after the last row of a page: that row's sort value (as the database renders it) and id. */
export interface EngagementCursor {
  value: string;
  id: string;
}

export interface EngagementListQuery {
  now: Date;
  limit: number;
  sort: EngagementSort;
  direction: 'asc' | 'desc';
  /** Part of the account's name, id or one of its domains (case-insensitive). */
  search: string | null;
  /** Only accounts with no past meeting in the last N days (never met included). */
  notMetDays: number | null;
  /** Only accounts with no past meeting at all. */
  neverMet: boolean;
  /** Past weeks of `weekly`, the current one included. */
  weeks: number;
  /** Weeks of `weekly` after the current one (meetings already scheduled). */
  weeksAhead: number;
  topMembers: number;
  after: EngagementCursor | null;
}

export interface EngagementPage {
  items: AccountEngagement[];
  /** Accounts matching the filters, on every page. */
  total: number;
  next: EngagementCursor | null;
}

export interface ContactLastMet {
  email: string;
  name: string | null;
  /** The start of the last past meeting recorded on the account that the contact attended (not declined). */
  lastMetAt: Date | null;
}

export interface EngagementReadModel {
  list(query: EngagementListQuery): Promise<EngagementPage>;
  forAccount(
    accountId: string,
    at: { now: Date; weeks: number; weeksAhead: number; topMembers: number },
  ): Promise<AccountEngagement | null>;
  /**
   * Recomputes the kept figures of the accounts noted as changed or past their validity; answers how many. Only
   * speeds up `list`, which computes such accounts itself meanwhile.
   */
  refresh(now: Date): Promise<{ accounts: number }>;
  /** The account's contacts, most recently met first, then never met; at most `limit`. */
  contactsLastMet(accountId: string, now: Date, limit: number): Promise<ContactLastMet[]>;
}
