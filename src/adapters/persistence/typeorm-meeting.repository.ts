import type { EntityManager } from 'typeorm';

import type {
  AccountInteractionView,
  AccountTimelineCursor,
  DatedInteractionFilter,
  InteractionFilter,
  InteractionView,
  MatchedCopy,
  MeetingRepository,
  MeetingToRematch,
  Page,
  RematchResult,
  TimelineCursor,
  UnmatchedMeetingPage,
} from '../../application/ports/meeting-repository.port';
import {
  type EventAttendee,
  type MeetingKey,
  minutesInMeeting,
  type Participant,
} from '../../domain/meeting';

/** A meeting the upsert inserted or updated (one that kept a newer copy's data is not returned). */
interface ChangedMeeting {
  id: string;
  ical_uid: string;
  original_start: string;
  /** Inserted by this very statement: it has no interactions yet, so none can be stale. */
  inserted: boolean;
}

/**
 * Meetings, their per-calendar copies and their interactions. Every write takes a whole page (or batch) as one
 * JSON parameter, so a page costs the same few statements whatever its size.
 */
export class TypeOrmMeetingRepository implements MeetingRepository {
  constructor(private readonly db: EntityManager) {}

  async lockMatchingData(mode: 'share' | 'exclusive'): Promise<void> {
    await this.db.query(
      `SELECT id FROM matching_lock WHERE id = 1 ${mode === 'share' ? 'FOR SHARE' : 'FOR UPDATE'}`,
    );
  }

  async saveCopies(
    memberId: string,
    generation: number | null,
    copies: readonly MatchedCopy[],
  ): Promise<void> {
    if (copies.length === 0) return;
    // One row per meeting: the newest copy wins if one page holds two copies of a meeting.
    const newest = new Map<string, MatchedCopy>();
    for (const copy of copies) {
      const key = JSON.stringify([copy.meeting.key.iCalUID, copy.meeting.key.originalStart]);
      const seen = newest.get(key);
      if (seen === undefined || seen.meeting.sourceUpdated <= copy.meeting.sourceUpdated)
        newest.set(key, copy);
    }
    // In key order: transactions of several calendars sharing meetings then lock them in the same order.
    const input = [...newest.values()]
      .sort((a, b) => compareKeys(a.meeting.key, b.meeting.key))
      .map((copy) => ({
        ical_uid: copy.meeting.key.iCalUID,
        original_start: copy.meeting.key.originalStart,
        title: copy.meeting.title,
        private: copy.meeting.private,
        start_time: copy.meeting.startTime.toISOString(),
        duration_minutes: copy.meeting.durationMinutes,
        local_date: copy.meeting.date,
        attendees: copy.meeting.attendees,
        attendees_omitted: !copy.meeting.attendeesComplete,
        participants: copy.matched.participants,
        unmatched_reason: copy.matched.unmatched?.reason ?? null,
        candidate_account_ids: copy.matched.unmatched?.candidateAccountIds ?? [],
        unmatched_emails: copy.matched.unmatched?.emails ?? [],
        match_keys: copy.matchKeys,
        account_matches: copy.matched.interactions,
        source_updated: copy.meeting.sourceUpdated.toISOString(),
      }));
    // The newest copy decides what the meeting is (title, time, privacy); its attendees come from the newest copy
    // that lists them all, or from one that may omit some only while no such copy is known. An older copy changes
    // nothing; the rows returned are the meetings this page changed, as they now are.
    const takesData = 'meetings.source_updated <= EXCLUDED.source_updated';
    const takesAttendees = `((NOT EXCLUDED.attendees_omitted OR meetings.attendees_omitted)
      AND (meetings.attendees_updated <= EXCLUDED.source_updated
           OR (meetings.attendees_omitted AND NOT EXCLUDED.attendees_omitted)))`;
    const data = (column: string) =>
      `${column} = CASE WHEN ${takesData} THEN EXCLUDED.${column} ELSE meetings.${column} END`;
    const attendees = (column: string, value = `EXCLUDED.${column}`) =>
      `${column} = CASE WHEN ${takesAttendees} THEN ${value} ELSE meetings.${column} END`;
    // One statement writes the meetings, the copies of those it inserted or updated (by key: the ids come from the
    // upsert) and the interactions of those it inserted. A meeting just inserted (xmax 0; an updated one carries a
    // transaction or multixact id) has no interactions yet, and no other transaction can give it any before this one
    // commits: they go in without the conflict check (a speculative insertion per row) that the others need.
    const copyRows = copies.map((copy) => ({
      event_id: copy.eventId,
      series_id: copy.seriesId,
      ical_uid: copy.meeting.key.iCalUID,
      original_start: copy.meeting.key.originalStart,
    }));
    const rows = await this.db.query<(ChangedMeeting | { id: null; moved: string })[]>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(
           ical_uid text, original_start text, title text, private boolean, start_time timestamptz,
           duration_minutes int, local_date date, attendees jsonb, attendees_omitted boolean, participants jsonb,
           unmatched_reason text, candidate_account_ids text[], unmatched_emails text[], match_keys text[],
           account_matches jsonb, source_updated timestamptz)
       ),
       upserted AS (
         INSERT INTO meetings (ical_uid, original_start, title, private, start_time, duration_minutes, local_date,
                               attendees, attendees_omitted, attendees_updated, participants, unmatched_reason,
                               candidate_account_ids, unmatched_emails, match_keys, account_matches, source_updated)
         SELECT ical_uid, original_start, title, private, start_time, duration_minutes, local_date, attendees,
                attendees_omitted, source_updated, participants, unmatched_reason, candidate_account_ids,
                unmatched_emails, match_keys, account_matches, source_updated
         FROM input
         ON CONFLICT (ical_uid, original_start) DO UPDATE SET
           ${['title', 'private', 'start_time', 'duration_minutes', 'local_date'].map(data).join(', ')},
           ${[
             'attendees',
             'attendees_omitted',
             'participants',
             'unmatched_reason',
             'candidate_account_ids',
             'unmatched_emails',
             'match_keys',
             'account_matches',
           ]
             .map((column) => attendees(column))
             .join(', ')},
           ${attendees('attendees_updated', 'EXCLUDED.source_updated')},
           ${attendees('needs_rematch', 'false')},
           source_updated = GREATEST(meetings.source_updated, EXCLUDED.source_updated), updated_at = now()
         WHERE ${takesData} OR ${takesAttendees}
         RETURNING id, ical_uid, original_start, start_time, local_date, account_matches, xmax = 0 AS inserted
       ),
       copy AS (
         SELECT c.event_id, c.series_id, u.id AS meeting_id
         FROM jsonb_to_recordset($4::jsonb) AS c(event_id text, series_id text, ical_uid text, original_start text)
         JOIN upserted u ON u.ical_uid = c.ical_uid AND u.original_start = c.original_start
       ),
       fresh AS (
         INSERT INTO interactions (meeting_id, account_id, matched_by, start_time, local_date)
         ${MATCHED_INTERACTIONS('(SELECT * FROM upserted WHERE inserted)')}
       ),
       ${SAVE_COPIES('copy', '$2::uuid', '$3::int')}
       SELECT id, ical_uid, original_start, inserted, NULL::uuid AS moved FROM upserted
       UNION ALL
       SELECT DISTINCT NULL::uuid, NULL::text, NULL::text, NULL::boolean, meeting_id FROM previous`,
      [JSON.stringify(input), memberId, generation ?? 0, JSON.stringify(copyRows)],
    );
    const changed = rows.filter((row): row is ChangedMeeting => row.id !== null);
    const moved = rows.flatMap((row) => (row.id === null ? [row.moved] : []));
    const keyOf = (iCalUID: string, originalStart: string) => JSON.stringify([iCalUID, originalStart]);
    const written = new Set(changed.map((row) => keyOf(row.ical_uid, row.original_start)));
    const kept = input.filter((row) => !written.has(keyOf(row.ical_uid, row.original_start)));
    if (kept.length > 0) {
      // Meetings that kept a newer copy's data. Read by a statement of its own: under READ COMMITTED it sees a row
      // another calendar's transaction committed while the upsert waited for it, which the upsert's own snapshot
      // does not. The upsert locked those rows, so they are still there.
      const found = await this.db.query<{ id: string; ical_uid: string; original_start: string }[]>(
        `SELECT m.id, m.ical_uid, m.original_start FROM meetings m
         JOIN unnest($1::text[], $2::text[]) AS k(ical_uid, original_start)
           ON k.ical_uid = m.ical_uid AND k.original_start = m.original_start`,
        [kept.map((row) => row.ical_uid), kept.map((row) => row.original_start)],
      );
      const idByKey = new Map(found.map((row) => [keyOf(row.ical_uid, row.original_start), row.id]));
      const keptCopies = copyRows
        .filter((copy) => !written.has(keyOf(copy.ical_uid, copy.original_start)))
        .map((copy) => {
          const meetingId = idByKey.get(keyOf(copy.ical_uid, copy.original_start));
          if (meetingId === undefined)
            throw new Error(`meeting ${copy.ical_uid} vanished while it was stored`);
          return { event_id: copy.event_id, series_id: copy.series_id, meeting_id: meetingId };
        });
      const movedToo = await this.db.query<{ meeting_id: string }[]>(
        `WITH copy AS (
           SELECT * FROM jsonb_to_recordset($3::jsonb) AS e(event_id text, series_id text, meeting_id uuid)
         ),
         ${SAVE_COPIES('copy', '$1::uuid', '$2::int')}
         SELECT DISTINCT meeting_id FROM previous`,
        [memberId, generation ?? 0, JSON.stringify(keptCopies)],
      );
      moved.push(...movedToo.map((row) => row.meeting_id));
    }
    if (moved.length > 0) await this.deleteOrphans(moved);

    await this.writeMatches(changed.filter((row) => !row.inserted).map((row) => row.id));
  }

  async removeCopies(memberId: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    // An id may be a series': every copy of its occurrences goes with it (Google may list only some of them).
    await this.db.query(
      `WITH removed AS (
         DELETE FROM calendar_events
         WHERE member_id = $1 AND (event_id = ANY($2::text[]) OR series_id = ANY($2::text[]))
         RETURNING meeting_id, event_id
       )
       DELETE FROM meetings m
       WHERE m.id IN (SELECT meeting_id FROM removed)
         AND NOT EXISTS (
           SELECT 1 FROM calendar_events ce
           WHERE ce.meeting_id = m.id
             AND NOT (ce.member_id = $1 AND ce.event_id IN (SELECT event_id FROM removed)))`,
      [memberId, eventIds],
    );
  }

  async removeUnseenCopies(memberId: string, generation: number, windowStart: Date): Promise<void> {
    await this.db.query(
      `WITH removed AS (
         DELETE FROM calendar_events ce USING meetings m
         WHERE ce.meeting_id = m.id AND ce.member_id = $1 AND ce.seen_generation < $2 AND m.start_time >= $3
         RETURNING ce.meeting_id, ce.event_id
       )
       DELETE FROM meetings m
       WHERE m.id IN (SELECT meeting_id FROM removed)
         AND NOT EXISTS (
           SELECT 1 FROM calendar_events ce
           WHERE ce.meeting_id = m.id
             AND NOT (ce.member_id = $1 AND ce.event_id IN (SELECT event_id FROM removed)))`,
      [memberId, generation, windowStart],
    );
  }

  async flagForRematch(matchKeys: readonly string[]): Promise<number> {
    if (matchKeys.length === 0) return 0;
    const [, flagged] = await this.db.query<[unknown, number]>(
      `UPDATE meetings SET needs_rematch = true
       WHERE NOT needs_rematch AND match_keys && $1::text[]`,
      [matchKeys],
    );
    return flagged;
  }

  async claimRematch(limit: number): Promise<MeetingToRematch[]> {
    const rows = await this.db.query<{ id: string; attendees: EventAttendee[] }[]>(
      `SELECT id, attendees FROM meetings WHERE needs_rematch ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row) => ({ meetingId: row.id, attendees: row.attendees }));
  }

  async saveRematch(results: readonly RematchResult[]): Promise<void> {
    if (results.length === 0) return;
    const [updated] = await this.db.query<[{ id: string }[], number]>(
      `UPDATE meetings m SET participants = r.participants, unmatched_reason = r.unmatched_reason,
              candidate_account_ids = r.candidate_account_ids, unmatched_emails = r.unmatched_emails,
              match_keys = r.match_keys, account_matches = r.account_matches, needs_rematch = false,
              updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, participants jsonb, unmatched_reason text,
                                               candidate_account_ids text[], unmatched_emails text[],
                                               match_keys text[], account_matches jsonb)
       WHERE m.id = r.id
       RETURNING m.id`,
      [
        JSON.stringify(
          results.map((result) => ({
            id: result.meetingId,
            participants: result.matched.participants,
            unmatched_reason: result.matched.unmatched?.reason ?? null,
            candidate_account_ids: result.matched.unmatched?.candidateAccountIds ?? [],
            unmatched_emails: result.matched.unmatched?.emails ?? [],
            match_keys: result.matchKeys,
            account_matches: result.matched.interactions,
          })),
        ),
      ],
    );
    await this.writeMatches(updated.map((row) => row.id));
  }

  async listInteractions(filter: InteractionFilter): Promise<Page<InteractionView> | null> {
    // The account and its page in one statement: no row is no account, one row of nulls an account without any.
    // Where the database has one connection (embedded), a second statement would wait behind a sync's transaction.
    const found = await this.db.query<(InteractionRow | { id: null })[]>(
      `SELECT p.* FROM accounts a
       LEFT JOIN LATERAL (
         SELECT ${INTERACTION_COLUMNS}
         FROM interactions i JOIN meetings m ON m.id = i.meeting_id
         WHERE i.account_id = a.id
           AND ($2::timestamptz IS NULL OR i.start_time >= $2::timestamptz)
           AND ($3::timestamptz IS NULL OR i.start_time <= $3::timestamptz)
           AND ($4::date IS NULL OR i.local_date >= $4::date)
           AND ($5::date IS NULL OR i.local_date <= $5::date)
           AND ($6::timestamptz IS NULL OR (i.start_time, i.id) < ($6::timestamptz, $7::uuid))
         ORDER BY i.start_time DESC, i.id DESC
         LIMIT $8
       ) p ON true
       WHERE a.id = $1
       ORDER BY p."startTime" DESC, p.id DESC`,
      [
        filter.accountId,
        filter.from,
        filter.to,
        filter.fromDate,
        filter.toDate,
        filter.after?.startTime ?? null,
        filter.after?.id ?? null,
        filter.limit + 1,
      ],
    );
    if (found.length === 0) return null;
    const rows = found.filter((row): row is InteractionRow => row.id !== null);
    return page(
      rows.map((row) => ({ ...row, start_time: new Date(row.startTime) })),
      filter.limit,
      toInteractionView,
    );
  }

  async listAllInteractions(
    limit: number,
    afterId: string | null,
  ): Promise<{ items: InteractionView[]; next: string | null }> {
    const rows = await this.db.query<InteractionRow[]>(
      `SELECT ${INTERACTION_COLUMNS}
       FROM interactions i JOIN meetings m ON m.id = i.meeting_id
       WHERE $1::uuid IS NULL OR i.id > $1::uuid
       ORDER BY i.id
       LIMIT $2`,
      [afterId, limit + 1],
    );
    const items = rows.slice(0, limit).map(toInteractionView);
    return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
  }

  async listInteractionsByDate(
    filter: DatedInteractionFilter,
  ): Promise<{ items: AccountInteractionView[]; next: AccountTimelineCursor | null }> {
    // In the order of interactions_account_timeline_idx, so that a page is one scan of that index. A local date
    // lies within 14 hours before and 12 hours after the day in UTC (the widest zone offsets): the start window
    // one day wider on each side lets the scan skip what is far outside the days on the index entries alone.
    const rows = await this.db.query<(InteractionRow & { accountName: string })[]>(
      `SELECT ${INTERACTION_COLUMNS}, a.name AS "accountName"
       FROM interactions i
         JOIN meetings m ON m.id = i.meeting_id
         JOIN accounts a ON a.id = i.account_id
       WHERE ($1::text IS NULL OR (i.account_id, i.start_time, i.id) > ($1::text, $2::timestamptz, $3::uuid))
         AND ($4::date IS NULL OR (i.start_time >= ($4::date - 1)::timestamp AT TIME ZONE 'UTC'
                                   AND i.local_date >= $4::date))
         AND ($5::date IS NULL OR (i.start_time < ($5::date + 2)::timestamp AT TIME ZONE 'UTC'
                                   AND i.local_date <= $5::date))
       ORDER BY i.account_id, i.start_time, i.id
       LIMIT $6`,
      [
        filter.after?.accountId ?? null,
        filter.after?.startTime ?? null,
        filter.after?.id ?? null,
        filter.fromDate,
        filter.toDate,
        filter.limit + 1,
      ],
    );
    const items = rows
      .slice(0, filter.limit)
      .map((row) => ({ ...toInteractionView(row), accountName: row.accountName }));
    const last = items[items.length - 1];
    return {
      items,
      next:
        rows.length > filter.limit && last !== undefined
          ? { accountId: last.accountId, startTime: last.startTime, id: last.id }
          : null,
    };
  }

  async listUnmatched(limit: number, after: TimelineCursor | null): Promise<UnmatchedMeetingPage> {
    const rows = await this.db.query<
      {
        id: string;
        title: string;
        private: boolean;
        start_time: Date;
        duration_minutes: number;
        unmatched_reason: 'no_match' | 'ambiguous_domain';
        candidate_account_ids: string[];
        unmatched_emails: string[];
        matched_account_ids: string[];
        participants: Participant[];
      }[]
    >(
      `SELECT m.id, m.title, m.private, m.start_time, m.duration_minutes, m.unmatched_reason, m.candidate_account_ids,
              m.unmatched_emails, m.participants,
              ARRAY(SELECT i.account_id FROM interactions i WHERE i.meeting_id = m.id ORDER BY i.account_id)
                AS matched_account_ids
       FROM meetings m
       WHERE m.unmatched_reason IS NOT NULL
         AND ($1::timestamptz IS NULL OR (m.start_time, m.id) < ($1::timestamptz, $2::uuid))
       ORDER BY m.start_time DESC, m.id DESC
       LIMIT $3`,
      [after?.startTime ?? null, after?.id ?? null, limit + 1],
    );
    const meetings = page(rows, limit, (row) => ({
      id: row.id,
      title: row.title,
      private: row.private,
      startTime: row.start_time.toISOString(),
      durationMinutes: row.duration_minutes,
      reason: row.unmatched_reason,
      candidateAccountIds: row.candidate_account_ids,
      unmatchedEmails: row.unmatched_emails,
      matchedAccountIds: row.matched_account_ids,
      participants: withMinutes(row.participants, row.duration_minutes),
    }));
    const named = [
      ...new Set(meetings.items.flatMap((m) => [...m.matchedAccountIds, ...m.candidateAccountIds])),
    ];
    const accounts =
      named.length === 0
        ? []
        : await this.db.query<{ id: string; name: string }[]>(
            `SELECT id, name FROM accounts WHERE id = ANY($1::text[])`,
            [named],
          );
    return { ...meetings, accountNames: new Map(accounts.map((account) => [account.id, account.name])) };
  }

  async countForMember(memberId: string): Promise<{ meetings: number; interactions: number }> {
    const rows = await this.db.query<{ meetings: number; interactions: number }[]>(
      `SELECT count(DISTINCT ce.meeting_id)::int AS meetings,
              (SELECT count(*) FROM interactions i
               WHERE i.meeting_id IN (SELECT meeting_id FROM calendar_events WHERE member_id = $1))::int AS interactions
       FROM calendar_events ce WHERE ce.member_id = $1`,
      [memberId],
    );
    return rows[0]!;
  }

  /** Replaces the interactions of these meetings (stored before, so they may have some) with their account matches. */
  private async writeMatches(meetingIds: readonly string[]): Promise<void> {
    if (meetingIds.length === 0) return;
    const matched = MATCHED_INTERACTIONS(
      '(SELECT id, start_time, local_date, account_matches FROM meetings WHERE id = ANY($1::uuid[]))',
    );
    await this.db.query(
      `DELETE FROM interactions i
       WHERE i.meeting_id = ANY($1::uuid[])
         AND (i.meeting_id, i.account_id) NOT IN (SELECT meeting_id, account_id FROM (${matched}) AS matched)`,
      [meetingIds],
    );
    await this.db.query(
      `INSERT INTO interactions (meeting_id, account_id, matched_by, start_time, local_date)
       ${matched}
       ON CONFLICT (meeting_id, account_id) DO UPDATE
         SET matched_by = EXCLUDED.matched_by, start_time = EXCLUDED.start_time, local_date = EXCLUDED.local_date
       -- A re-sync that changes nothing rewrites no row (and fires no change-feed trigger).
       WHERE (interactions.matched_by, interactions.start_time, interactions.local_date)
             IS DISTINCT FROM (EXCLUDED.matched_by, EXCLUDED.start_time, EXCLUDED.local_date)`,
      [meetingIds],
    );
  }

  private async deleteOrphans(meetingIds: readonly string[]): Promise<void> {
    await this.db.query(
      `DELETE FROM meetings m WHERE m.id = ANY($1::uuid[])
       AND NOT EXISTS (SELECT 1 FROM calendar_events ce WHERE ce.meeting_id = m.id)`,
      [meetingIds],
    );
  }
}

/**
 * The interactions `meetings` (a relation with a meeting's id, start_time, local_date and account_matches, aliased
 * or not) should have: one per account it matched, with its start and date.
 */
const MATCHED_INTERACTIONS = (meetings: string) =>
  `SELECT m.id AS meeting_id, x."accountId" AS account_id, x."matchedBy" AS matched_by, m.start_time, m.local_date
   FROM ${meetings} AS m CROSS JOIN LATERAL jsonb_to_recordset(m.account_matches) AS x("accountId" text, "matchedBy" text)`;

/**
 * The CTEs `previous` (the meetings these copies named before, when another: they may be orphans now) and `saved`
 * (the copies written) for the copies in `copies` (event_id, series_id, meeting_id) of the member `member`.
 */
const SAVE_COPIES = (copies: string, member: string, generation: string) =>
  `previous AS (
     SELECT ce.meeting_id FROM calendar_events ce JOIN ${copies} c ON c.event_id = ce.event_id
     WHERE ce.member_id = ${member} AND ce.meeting_id <> c.meeting_id
   ),
   saved AS (
     INSERT INTO calendar_events (member_id, event_id, series_id, meeting_id, seen_generation)
     SELECT ${member}, event_id, series_id, meeting_id, ${generation} FROM ${copies}
     ON CONFLICT (member_id, event_id) DO UPDATE
       SET meeting_id = EXCLUDED.meeting_id, series_id = EXCLUDED.series_id,
           seen_generation = EXCLUDED.seen_generation
   )`;

/** An interaction as stored; the change feed's triggers (interaction_snapshot) record the same fields. */
export interface InteractionRecord {
  id: string;
  accountId: string;
  matchedBy: 'contact' | 'domain';
  /** A timestamptz, as the driver or as JSON gives it. */
  startTime: Date | string;
  date: string;
  title: string;
  private: boolean;
  durationMinutes: number;
  participants: Participant[];
}

type InteractionRow = InteractionRecord & { id: string };

const INTERACTION_COLUMNS = `i.id, i.account_id AS "accountId", i.matched_by AS "matchedBy", i.start_time AS "startTime",
  i.local_date::text AS date, m.title, m.private, m.duration_minutes AS "durationMinutes", m.participants`;

/** The API's Interaction, from what is stored. */
export function toInteractionView(record: InteractionRecord): InteractionView {
  return {
    id: record.id,
    accountId: record.accountId,
    type: 'Google calendar',
    title: record.title,
    private: record.private,
    date: record.date,
    startTime: new Date(record.startTime).toISOString(),
    durationMinutes: record.durationMinutes,
    matchedBy: record.matchedBy,
    participants: withMinutes(record.participants, record.durationMinutes),
  };
}

function withMinutes(participants: readonly Participant[], minutes: number) {
  return participants.map((p) => ({
    name: p.name,
    email: p.email,
    minutesInMeeting: minutesInMeeting(p, minutes),
    responseStatus: p.responseStatus,
    accountId: p.accountId,
    matchedBy: p.matchedBy,
  }));
}

function page<Row extends { id: string; start_time: Date }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    next:
      rows.length > limit && last !== undefined
        ? { startTime: last.start_time.toISOString(), id: last.id }
        : null,
  };
}

function compareKeys(a: MeetingKey, b: MeetingKey): number {
  if (a.iCalUID !== b.iCalUID) return a.iCalUID < b.iCalUID ? -1 : 1;
  return a.originalStart < b.originalStart ? -1 : a.originalStart > b.originalStart ? 1 : 0;
}
