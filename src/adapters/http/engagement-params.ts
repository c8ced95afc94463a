import type {
  AccountEngagement,
  EngagementCursor,
  EngagementSort,
  MeetingMention,
} from '../../application/ports/engagement-read-model.port';
import { ValidationFailedError } from '../../domain/errors';
import { accountIdSchema, CONTROL_CHARACTERS } from './admin-api.schemas';
import { decodeCursor, encodeCursor } from './cursor';
import { parseIsoInstant } from './time-params';

/** Members named by one account's engagement; the list of all accounts names each one's top member only. */
export const TOP_MEMBERS = 5;
export const TOP_MEMBERS_IN_LIST = 1;

/** The `sort` parameter that asks for this order. */
export function sortParam(sort: EngagementSort, direction: 'asc' | 'desc'): string {
  return direction === 'desc' ? `-${sort}` : sort;
}

/** A cursor of the list holds the sort it was made for: its value only compares with that sort's key. */
export function encodeEngagementCursor(sort: string, cursor: EngagementCursor): string {
  return encodeCursor({ sort, v: cursor.value, id: cursor.id });
}

export function decodeEngagementCursor(
  cursor: string | undefined,
  sort: EngagementSort,
  direction: 'asc' | 'desc',
): EngagementCursor | null {
  if (cursor === undefined) return null;
  const { sort: madeFor, v, id } = decodeCursor(cursor, ['sort', 'v', 'id']);
  if (madeFor !== sortParam(sort, direction)) {
    throw new ValidationFailedError([{ path: ['cursor'], message: `was made for sort=${madeFor}` }]);
  }
  if (!accountIdSchema.safeParse(id).success || !validSortValue(sort, v!)) {
    throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
  }
  return { value: v!, id: id! };
}

function validSortValue(sort: EngagementSort, value: string): boolean {
  switch (sort) {
    case 'lastMeeting':
    case 'nextMeeting':
      return value === 'infinity' || value === '-infinity' || parseIsoInstant(value) !== null;
    case 'meetings30d':
    case 'meetings90d':
      // Within PostgreSQL's int.
      return /^\d{1,9}$/.test(value);
    case 'name':
    case 'topMember':
      return value.length <= 1_000 && !CONTROL_CHARACTERS.test(value);
  }
}

/** The API's shape of one account's engagement. */
export function engagementJson(engagement: AccountEngagement) {
  return {
    accountId: engagement.accountId,
    name: engagement.name,
    domains: engagement.domains,
    lastMeetingAt: engagement.lastMeeting?.at.toISOString() ?? null,
    nextMeetingAt: engagement.nextMeeting?.at.toISOString() ?? null,
    lastMeeting: mentionJson(engagement.lastMeeting),
    nextMeeting: mentionJson(engagement.nextMeeting),
    meetings30d: engagement.meetings30d,
    meetings90d: engagement.meetings90d,
    weekly: engagement.weekly,
    topMembers: engagement.topMembers,
  };
}

function mentionJson(mention: MeetingMention | null) {
  return mention === null
    ? null
    : { startTime: mention.at.toISOString(), title: mention.title, private: mention.private };
}
