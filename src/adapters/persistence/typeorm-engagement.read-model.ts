import type { EntityManager } from 'typeorm';

import type {
  AccountEngagement,
  ContactLastMet,
  EngagementListQuery,
  EngagementPage,
  EngagementReadModel,
  EngagementSort,
  MeetingMention,
  MemberMeetings,
} from '../../application/ports/engagement-read-model.port';
import { fillWeeks, QUARTER_DAYS, RECENT_DAYS, weekRange } from '../../domain/engagement';

/**
 * Each sort's key: never null, so that keyset paging compares plainly; a cursor carries it as JSON renders it
 * (ISO 8601 for instants). A never-met account sorts as met at -infinity (first when the least recently met come
 * first), no next meeting as +infinity, no top member as ''.
 */
const SORT_KEYS: Record<EngagementSort, { expression: string; type: string }> = {
  name: { expression: 'lower(a.name)', type: 'text' },
  lastMeeting: { expression: "coalesce(s.last_at, '-infinity')", type: 'timestamptz' },
  nextMeeting: { expression: "coalesce(s.next_at, 'infinity')", type: 'timestamptz' },
  meetings30d: { expression: 'coalesce(s.m30, 0)', type: 'int' },
  meetings90d: { expression: 'coalesce(s.m90, 0)', type: 'int' },
  topMember: { expression: `coalesce(s.top_member, '') COLLATE "C"`, type: 'text' },
};

/**
 * Members attending an account's past meetings: a member's calendar holds a copy of the meeting (a member who
 * declined holds none, see meetingFromEvent). Counted once per meeting. `$1` is now.
 */
const MEMBER_MEETINGS = `SELECT i.account_id, mb.email, count(DISTINCT i.meeting_id)::int AS meetings
       FROM interactions i
       JOIN calendar_events ce ON ce.meeting_id = i.meeting_id
       JOIN members mb ON mb.id = ce.member_id
       WHERE i.start_time <= $1`;

/**
 * The figures of the accounts `accounts` (a query of `account_id`s) at `$1`, from their interactions, and until
 * when they hold: the next instant a meeting starts or leaves the 30- or 90-day window. An account without
 * interactions has no row.
 */
function figures(accounts: string): string {
  const recent = `i.start_time + ${RECENT_DAYS * 24} * interval '1 hour'`;
  const quarter = `i.start_time + ${QUARTER_DAYS * 24} * interval '1 hour'`;
  return `SELECT x.account_id, x.last_at, x.next_at, x.m30, x.m90, top.email AS top_member,
              top.meetings AS top_member_meetings, x.valid_until
       FROM (
         SELECT i.account_id,
                max(i.start_time) FILTER (WHERE i.start_time <= $1) AS last_at,
                min(i.start_time) FILTER (WHERE i.start_time > $1) AS next_at,
                count(*) FILTER (WHERE ${recent} > $1 AND i.start_time <= $1)::int AS m30,
                count(*) FILTER (WHERE ${quarter} > $1 AND i.start_time <= $1)::int AS m90,
                coalesce(least(min(i.start_time) FILTER (WHERE i.start_time > $1),
                               min(${recent}) FILTER (WHERE ${recent} > $1),
                               min(${quarter}) FILTER (WHERE ${quarter} > $1)), 'infinity') AS valid_until
         FROM interactions i
         WHERE i.account_id IN (${accounts})
         GROUP BY i.account_id
       ) x
       LEFT JOIN (
         SELECT DISTINCT ON (account_id) account_id, email, meetings
         FROM (${MEMBER_MEETINGS} AND i.account_id IN (${accounts}) GROUP BY 1, 2) per_member
         ORDER BY account_id, meetings DESC, email COLLATE "C"
       ) top ON top.account_id = x.account_id`;
}

/** The accounts noted as changed: by name, or through a meeting whose members' copies changed. */
const NOTED_ACCOUNTS = `SELECT account_id FROM engagement_dirty WHERE account_id IS NOT NULL
       UNION SELECT i.account_id FROM engagement_dirty d JOIN interactions i ON i.meeting_id = d.meeting_id`;

/**
 * Every account's figures at $1: the stored ones where they hold (computed for an instant up to $1, valid after
 * it), computed afresh for the accounts whose data changed since (noted in engagement_dirty) or whose figures time
 * has moved past. `s` has no row for an account never met with nothing scheduled.
 */
const CURRENT_FIGURES = `dirty AS (${NOTED_ACCOUNTS}),
       s AS (
         SELECT e.account_id, e.last_at, e.next_at, e.meetings_30d AS m30, e.meetings_90d AS m90, e.top_member,
                e.top_member_meetings
         FROM account_engagement e
         WHERE e.computed_at <= $1 AND e.valid_until > $1
           AND NOT EXISTS (SELECT 1 FROM dirty WHERE dirty.account_id = e.account_id)
         UNION ALL
         SELECT f.account_id, f.last_at, f.next_at, f.m30, f.m90, f.top_member, f.top_member_meetings
         FROM (${figures(
           `SELECT account_id FROM dirty
            UNION SELECT account_id FROM account_engagement WHERE valid_until <= $1 OR computed_at > $1`,
         )}) f
       )`;

interface ListRow {
  id: string;
  name: string;
  last_at: Date | null;
  next_at: Date | null;
  m30: number;
  m90: number;
  top_member: string | null;
  top_member_meetings: number | null;
  k: string;
  total: number;
}

interface MentionRow {
  id: string;
  at: Date;
  title: string;
  private: boolean;
}

/** The filtered accounts with their figures (after CURRENT_FIGURES); `$2`-`$4` as filterParameters gives them. */
const FILTERED = `SELECT a.id, a.name, s.last_at, s.next_at, coalesce(s.m30, 0) AS m30, coalesce(s.m90, 0) AS m90,
         s.top_member, s.top_member_meetings`;
const FILTERED_FROM = `FROM accounts a
         LEFT JOIN s ON s.account_id = a.id
         WHERE ($2::text IS NULL OR a.name ILIKE $2 OR a.id ILIKE $2
                OR EXISTS (SELECT 1 FROM account_domains d WHERE d.account_id = a.id AND d.domain ILIKE $2))
           AND ($3::int IS NULL OR s.last_at IS NULL OR s.last_at <= $1::timestamptz - $3 * interval '24 hours')
           AND (NOT $4::boolean OR s.last_at IS NULL)`;

function filterParameters(query: EngagementListQuery): unknown[] {
  return [
    query.now,
    query.search === null ? null : `%${escapeLike(query.search)}%`,
    query.notMetDays,
    query.neverMet,
  ];
}

/**
 * The engagement figures. The list's sortable figures are kept per account (account_engagement, see its
 * migration) and computed afresh where they no longer hold; the rest is read for the page's accounts only.
 */
export class TypeOrmEngagementReadModel implements EngagementReadModel {
  constructor(private readonly db: EntityManager) {}

  async list(query: EngagementListQuery): Promise<EngagementPage> {
    const key = SORT_KEYS[query.sort];
    const descending = query.direction === 'desc';
    const rows = await this.db.query<ListRow[]>(
      `WITH ${CURRENT_FIGURES},
       filtered AS (${FILTERED}, ${key.expression} AS k ${FILTERED_FROM})
       SELECT f.id, f.name, f.last_at, f.next_at, f.m30, f.m90, f.top_member, f.top_member_meetings,
              to_json(f.k) #>> '{}' AS k,
              (SELECT count(*) FROM filtered)::int AS total
       FROM filtered f
       WHERE $5::text IS NULL OR (f.k, f.id) ${descending ? '<' : '>'} ($5::${key.type}, $6::text)
       ORDER BY f.k ${descending ? 'DESC' : 'ASC'}, f.id ${descending ? 'DESC' : 'ASC'}
       LIMIT $7`,
      [...filterParameters(query), query.after?.value ?? null, query.after?.id ?? null, query.limit + 1],
    );
    const shown = rows.slice(0, query.limit);
    // The top member is among the kept figures: one is all the page needs; more are read for these accounts.
    const oneMember = query.topMembers <= 1;
    const details = await this.details(
      shown.map((row) => row.id),
      oneMember ? { ...query, topMembers: 0 } : query,
    );
    const last = shown[shown.length - 1];
    return {
      items: shown.map((row) => ({
        accountId: row.id,
        name: row.name,
        meetings30d: row.m30,
        meetings90d: row.m90,
        ...details(row.id),
        ...(oneMember
          ? {
              topMembers:
                row.top_member === null || query.topMembers === 0
                  ? []
                  : [{ email: row.top_member, meetings: row.top_member_meetings! }],
            }
          : {}),
      })),
      total: rows[0]?.total ?? (query.after === null ? 0 : await this.count(query)),
      next: rows.length > query.limit && last !== undefined ? { value: last.k, id: last.id } : null,
    };
  }

  async forAccount(
    accountId: string,
    at: { now: Date; weeks: number; weeksAhead: number; topMembers: number },
  ): Promise<AccountEngagement | null> {
    // The list's own figures: one definition of the windows.
    const rows = await this.db.query<{ name: string; m30: number | null; m90: number | null }[]>(
      `SELECT a.name, f.m30, f.m90
       FROM accounts a LEFT JOIN (${figures('SELECT $2::text')}) f ON f.account_id = a.id
       WHERE a.id = $2`,
      [at.now, accountId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const details = await this.details([accountId], at);
    return {
      accountId,
      name: row.name,
      meetings30d: row.m30 ?? 0,
      meetings90d: row.m90 ?? 0,
      ...details(accountId),
    };
  }

  async contactsLastMet(accountId: string, now: Date, limit: number): Promise<ContactLastMet[]> {
    // One pass over the account's past meetings and their participants, however many contacts it has.
    const rows = await this.db.query<{ email: string; name: string | null; last_met: Date | null }[]>(
      `SELECT c.email, c.name, met.last_met
       FROM contacts c
       LEFT JOIN (
         SELECT p->>'email' AS email, max(i.start_time) AS last_met
         FROM interactions i
         JOIN meetings m ON m.id = i.meeting_id
         CROSS JOIN LATERAL jsonb_array_elements(m.participants) p
         WHERE i.account_id = $1 AND i.start_time <= $2 AND p->>'responseStatus' IS DISTINCT FROM 'declined'
         GROUP BY 1
       ) met ON met.email = c.email
       WHERE c.account_id = $1
       ORDER BY met.last_met DESC NULLS LAST, c.email
       LIMIT $3`,
      [accountId, now, limit],
    );
    return rows.map((row) => ({ email: row.email, name: row.name, lastMetAt: row.last_met }));
  }

  private async count(query: EngagementListQuery): Promise<number> {
    // Only when a page past the end is asked for: the list's statement carries the count otherwise.
    const rows = await this.db.query<{ total: number }[]>(
      `WITH ${CURRENT_FIGURES} SELECT count(*)::int AS total FROM (${FILTERED} ${FILTERED_FROM}) filtered`,
      filterParameters(query),
    );
    return rows[0]!.total;
  }

  async refresh(now: Date): Promise<{ accounts: number }> {
    const { accounts, notes } = await this.recompute(now);
    // The notes just taken are dead rows until a vacuum: without it (the embedded database runs no autovacuum)
    // the table would only grow, and its statistics would make readers plan for a large table.
    if (notes > 0) await this.db.query('VACUUM (ANALYZE) engagement_dirty');
    return { accounts };
  }

  private recompute(now: Date): Promise<{ accounts: number; notes: number }> {
    return this.db.transaction(async (tx) => {
      // One refresh at a time, cluster-wide: a later one then always computes from a later snapshot.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('account_engagement_refresh'))`);
      // What this refresh covers: the notes committed so far. Notes of transactions still open stay for the next.
      const [notes] = await tx.query<[{ account_id: string | null; meeting_id: string | null }[], number]>(
        'DELETE FROM engagement_dirty RETURNING account_id, meeting_id',
      );
      // Later statements, so later snapshots: they see every change whose note was just taken.
      const targets = await tx.query<{ account_id: string }[]>(
        `SELECT unnest($1::text[]) AS account_id
         UNION SELECT account_id FROM interactions WHERE meeting_id = ANY($2::uuid[])
         UNION SELECT account_id FROM account_engagement WHERE valid_until <= $3 OR computed_at > $3`,
        [
          notes.flatMap((note) => (note.account_id === null ? [] : [note.account_id])),
          notes.flatMap((note) => (note.meeting_id === null ? [] : [note.meeting_id])),
          now,
        ],
      );
      const ids = targets.map((row) => row.account_id);
      if (ids.length === 0) return { accounts: 0, notes: notes.length };
      await tx.query(
        `WITH fresh AS (${figures('SELECT unnest($2::text[])')}),
         gone AS (
           DELETE FROM account_engagement e
           WHERE e.account_id = ANY($2) AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.account_id = e.account_id)
         )
         INSERT INTO account_engagement AS e (account_id, last_at, next_at, meetings_30d, meetings_90d, top_member,
                                              top_member_meetings, valid_until, computed_at)
         SELECT fresh.*, $1 FROM fresh JOIN accounts a ON a.id = fresh.account_id
         ON CONFLICT (account_id) DO UPDATE
           SET last_at = EXCLUDED.last_at, next_at = EXCLUDED.next_at, meetings_30d = EXCLUDED.meetings_30d,
               meetings_90d = EXCLUDED.meetings_90d, top_member = EXCLUDED.top_member,
               top_member_meetings = EXCLUDED.top_member_meetings, valid_until = EXCLUDED.valid_until,
               computed_at = EXCLUDED.computed_at`,
        [now, ids],
      );
      return { accounts: ids.length, notes: notes.length };
    });
  }

  /** Domains, last and next meeting, weekly counts and top members of a page of accounts (index reads only). */
  private async details(
    ids: readonly string[],
    at: { now: Date; weeks: number; weeksAhead: number; topMembers: number },
  ): Promise<(id: string) => Omit<AccountEngagement, 'accountId' | 'name' | 'meetings30d' | 'meetings90d'>> {
    const weeks = weekRange(at.now, at.weeks, at.weeksAhead);
    const [domains, mentions, weekly, members] =
      ids.length === 0
        ? [[], [], [], []]
        : await Promise.all([
            this.db.query<{ account_id: string; domain: string }[]>(
              `SELECT account_id, domain FROM account_domains WHERE account_id = ANY($1) ORDER BY domain`,
              [ids],
            ),
            this.db.query<(MentionRow & { kind: 'last' | 'next' })[]>(
              `SELECT a.id, x.kind, x.at, x.title, x.private
               FROM unnest($1::text[]) AS a(id)
               CROSS JOIN LATERAL (
                 (SELECT 'last' AS kind, i.start_time AS at, m.title, m.private
                  FROM interactions i JOIN meetings m ON m.id = i.meeting_id
                  WHERE i.account_id = a.id AND i.start_time <= $2
                  ORDER BY i.start_time DESC, i.id DESC LIMIT 1)
                 UNION ALL
                 (SELECT 'next', i.start_time, m.title, m.private
                  FROM interactions i JOIN meetings m ON m.id = i.meeting_id
                  WHERE i.account_id = a.id AND i.start_time > $2
                  ORDER BY i.start_time, i.id LIMIT 1)
               ) x`,
              [ids, at.now],
            ),
            this.db.query<{ account_id: string; week: string; meetings: number }[]>(
              `SELECT account_id, to_char(date_trunc('week', start_time AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
                      count(*)::int AS meetings
               FROM interactions
               WHERE account_id = ANY($1) AND start_time >= $2 AND start_time < $3
               GROUP BY 1, 2`,
              [ids, weeks.from, weeks.until],
            ),
            at.topMembers === 0
              ? []
              : this.db.query<{ account_id: string; email: string; meetings: number }[]>(
                  `${MEMBER_MEETINGS} AND i.account_id = ANY($2) GROUP BY 1, 2`,
                  [at.now, ids],
                ),
          ]);
    return (id) => {
      const mention = (kind: 'last' | 'next'): MeetingMention | null => {
        const row = mentions.find((candidate) => candidate.id === id && candidate.kind === kind);
        return row === undefined ? null : { at: new Date(row.at), title: row.title, private: row.private };
      };
      const top: MemberMeetings[] = members
        .filter((row) => row.account_id === id)
        .sort((a, b) => b.meetings - a.meetings || byCodePoint(a.email, b.email))
        .slice(0, at.topMembers)
        .map(({ email, meetings }) => ({ email, meetings }));
      return {
        domains: domains.filter((row) => row.account_id === id).map((row) => row.domain),
        lastMeeting: mention('last'),
        nextMeeting: mention('next'),
        weekly: fillWeeks(
          weeks.starts,
          new Map(weekly.filter((row) => row.account_id === id).map((row) => [row.week, row.meetings])),
        ),
        topMembers: top,
      };
    };
  }
}

/** Ties between members go by email as the kept figures order them (COLLATE "C"), whatever the database's locale. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `search` as a literal inside an ILIKE pattern. */
function escapeLike(search: string): string {
  return search.replace(/[\\%_]/g, (char) => `\\${char}`);
}
