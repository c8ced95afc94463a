import { randomUUID } from 'node:crypto';

import { inject, injectable } from 'inversify';

import type { AccountMatcher, LookupKeys } from '../../domain/account-matcher';
import { EmailDomain } from '../../domain/email';
import { batchKeys, toMatchKeys } from '../../domain/match-keys';
import {
  type CalendarEvent,
  matchMeeting,
  meetingFromEvent,
  type MeetingSnapshot,
} from '../../domain/meeting';
import type { MemberConnection } from '../../domain/member-connection';
import { describeError, GoogleRequestError, SyncLeaseLostError, SyncTokenExpiredError } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { CalendarSession, EventsPage } from '../ports/calendar-gateway.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { MatchedCopy } from '../ports/meeting-repository.port';
import type { MemberRepository, SyncState } from '../ports/member-repository.port';
import type { SyncLease, SyncQueue } from '../ports/sync-queue.port';
import { TOKENS } from '../ports/tokens';
import type { TransactionScope, UnitOfWork } from '../ports/unit-of-work.port';
import type { RetryPolicy } from '../retry-policy';

export interface SyncSettings {
  lookbackDays: number;
  /** SYNC_LOOKAHEAD_DAYS: occurrences further ahead are not recorded (yet). */
  lookaheadDays: number;
  /** SYNC_LEASE_SECONDS: how long a sync run outside the worker holds its calendar. */
  leaseMs: number;
  /**
   * Events written per transaction (a page is split into transactions of at most this many). Where the database
   * runs one statement at a time (the embedded one), every other reader waits for the transaction in progress.
   */
  eventsPerTransaction?: number;
  /**
   * Transactions of one sync in flight at once (1 when omitted). With more, the next page is written while the one
   * before still runs, each on a connection of its own: where the database, not Google, is the slower side of a
   * first sync. The sync token is stored only once every earlier transaction committed.
   */
  transactionsInFlight?: number;
}

const DAY_MS = 86_400_000;

/**
 * A last page of at least this many events (a full sync's, usually) is shared between every transaction the sync
 * may have in flight; a smaller one (an incremental sync's usual answer) is written in as few as it needs.
 */
const LAST_PAGE_SHARED_FROM = 200;

/** What a sync records: meetings starting from `start` (full syncs) and before `end`. */
interface SyncWindow {
  start: Date;
  end: Date;
}

/**
 * The events of one transaction as it writes them: mapped to meetings, with their lookup keys. Pure work, done
 * as soon as the page arrives when the page before is still being written (the embedded database's one
 * connection is then held only for the lookups, matching on them and the writes).
 */
interface PreparedPart {
  /** Cancelled, or beyond the window: their copies are removed. */
  removed: string[];
  kept: { eventId: string; seriesId: string | null; meeting: MeetingSnapshot; keys: LookupKeys }[];
  /** Every kept meeting's keys, once each. */
  keys: LookupKeys;
}

interface ArrivedPage {
  page: EventsPage;
  /** The page's transactions, each prepared on its first call. */
  parts: (() => PreparedPart)[];
}

export type SyncOutcome =
  | { outcome: 'synced'; full: boolean; pages: number; events: number }
  | { outcome: 'skipped'; why: string }
  | { outcome: 'needs_reconnect' };

/**
 * Pulls what changed in a member's calendar and stores it as meetings and interactions.
 *
 * With a stored sync token it lists only the changes; without one (first sync, a forced full sync, after Google's
 * 410, or a day after the last full sync, as the window moves) it lists everything from SYNC_LOOKBACK_DAYS ago to
 * SYNC_LOOKAHEAD_DAYS ahead, then forgets copies it did not see again. Nothing beyond the window is recorded.
 * Each page is applied in one transaction (or several, see `eventsPerTransaction` and `transactionsInFlight`) and
 * the new sync token is stored only on top of all of them, so a crash mid-way repeats the same pages, which is
 * harmless. Rate limits and server errors are retried with backoff.
 *
 * Every write is made under the calendar's lease (the worker's claim, or one taken here): once another worker took
 * the calendar over, or the member disconnected, this sync's writes are refused and it stops.
 */
@injectable()
export class SyncCalendar {
  constructor(
    @inject(TOKENS.SyncSettings) private readonly settings: SyncSettings,
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.SyncQueue) private readonly queue: SyncQueue,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(TOKENS.AccountMatcher) private readonly matcher: AccountMatcher,
    @inject(TOKENS.RetryPolicy) private readonly retry: RetryPolicy,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  /** Without a `lease` the calendar's lease is taken for this run, and the run is skipped when it is held. */
  async execute(memberId: string, options: { full?: boolean; lease?: SyncLease } = {}): Promise<SyncOutcome> {
    const lease = options.lease ?? (await this.queue.acquire(memberId, randomUUID(), this.settings.leaseMs));
    if (lease === null) return { outcome: 'skipped', why: 'another sync of this calendar is running' };
    try {
      return await this.withLease(memberId, lease, options.full ?? false);
    } finally {
      if (options.lease === undefined) await this.queue.release(lease);
    }
  }

  private async withLease(memberId: string, lease: SyncLease, full: boolean): Promise<SyncOutcome> {
    const state = await this.members.syncState(memberId);
    if (state === null) return { outcome: 'skipped', why: 'no such member' };
    const { connection } = state;
    if (!connection.canSync) return { outcome: 'skipped', why: `connection is ${connection.status}` };
    const log = this.logger.child({ memberId });
    const opened = await this.sessions.open(connection);
    if (opened === null) return { outcome: 'needs_reconnect' };
    try {
      const syncToken = full ? null : state.syncToken;
      let result: SyncOutcome;
      try {
        result = await this.run(opened.session, state, lease, syncToken, log);
      } catch (error) {
        if (!(error instanceof SyncTokenExpiredError) || syncToken === null) throw error;
        log.info('sync token expired: full sync');
        result = await this.run(opened.session, state, lease, null, log);
      }
      if (connection.problemSolved()) await this.members.save(connection);
      return result;
    } catch (error) {
      return await this.failed(connection, error, log);
    } finally {
      await opened.saveRefreshed();
    }
  }

  private async failed(connection: MemberConnection, error: unknown, log: Logger): Promise<SyncOutcome> {
    if (error instanceof SyncLeaseLostError) {
      log.warn('sync stopped: its calendar was taken over or disconnected');
      return { outcome: 'skipped', why: error.message };
    }
    const fault = await this.sessions.recordFault(connection, error, 'Sync failed');
    // A Disconnect or a new sign-in came first: what failed was their doing, not Google's.
    if (fault === 'stale') return { outcome: 'skipped', why: 'the connection changed during the sync' };
    if (fault === 'needs_reconnect') {
      log.warn('Google refused the grant: member needs to reconnect', { error: describeError(error) });
      return { outcome: 'needs_reconnect' };
    }
    throw error;
  }

  private async run(
    session: CalendarSession,
    state: SyncState,
    lease: SyncLease,
    syncToken: string | null,
    log: Logger,
  ): Promise<SyncOutcome> {
    const full = syncToken === null;
    const generation = full ? await this.queue.beginFullSync(lease) : state.generation;
    const now = this.clock.now().getTime();
    const window: SyncWindow = {
      start: new Date(now - this.settings.lookbackDays * DAY_MS),
      end: new Date(now + this.settings.lookaheadDays * DAY_MS),
    };
    const fetchPage = (pageToken: string | null): Promise<EventsPage> =>
      this.retry.run(
        () =>
          session.listEvents(
            syncToken === null
              ? { kind: 'full', timeMin: window.start, timeMax: window.end, pageToken }
              : { kind: 'incremental', syncToken, pageToken },
          ),
        (error, delayMs) => log.warn('Google asked to back off', { error: describeError(error), delayMs }),
      );
    const limit = Math.max(1, this.settings.transactionsInFlight ?? 1);
    const inFlight = new Set<Promise<void>>();
    // The first write that failed, kept until the sync fails with it: it may fail while nobody awaits it.
    let failed: { error: unknown } | null = null;
    /** Waits for every write in flight; throws the first failure, however long ago it was. */
    const allCommitted = async (): Promise<void> => {
      await Promise.allSettled(inFlight);
      if (failed !== null) throw failed.error;
    };
    /** Starts a write, then waits until another may start. */
    const write = async (work: () => Promise<void>): Promise<void> => {
      if (failed !== null) throw failed.error;
      const tracked: Promise<void> = work().then(
        () => {
          inFlight.delete(tracked);
        },
        (error: unknown) => {
          inFlight.delete(tracked);
          failed ??= { error };
          throw error;
        },
      );
      tracked.catch(() => undefined);
      inFlight.add(tracked);
      while (inFlight.size >= limit) await Promise.race(inFlight);
    };
    const download = (pageToken: string | null): Promise<ArrivedPage> => {
      const arrived = fetchPage(pageToken).then((page) => {
        const parts = this.partsOf(page.events, page.nextPageToken === null, limit).map((events) => {
          let prepared: PreparedPart | undefined;
          return () => (prepared ??= this.prepare(events, page.timeZone ?? state.timeZone, window));
        });
        // Each prepared in a turn of its own, between the writes of any page before; a part not prepared yet is
        // prepared by its transaction. A failure here is thrown again there; after a failed write, nothing more.
        const ahead = (index: number): void => {
          if (index >= parts.length || failed !== null) return;
          setImmediate(() => {
            try {
              parts[index]!();
            } catch {
              return;
            }
            ahead(index + 1);
          });
        };
        ahead(0);
        return { page, parts };
      });
      // Awaited only once the write before it is done: a failure meanwhile is not unhandled, and still thrown then.
      arrived.catch(() => undefined);
      return arrived;
    };
    let pages = 0;
    let events = 0;
    let next: Promise<ArrivedPage> | null = download(null);
    try {
      while (next !== null) {
        const arrived: ArrivedPage = await next;
        const { page, parts } = arrived;
        const last = page.nextPageToken === null;
        if (last && page.nextSyncToken === null) {
          throw new GoogleRequestError('Google ended the event list without a sync token');
        }
        // The next page downloads while this one is written: the sync costs about the slower of the two.
        next = last ? null : download(page.nextPageToken);
        // Nothing changed (the usual answer to a push on a busy calendar): only the new token to store, which one
        // statement does, checking the lease, without the page's transaction and locks.
        if (!full && page.events.length === 0) {
          if (last) {
            await allCommitted();
            await this.queue.completeSync(lease, page.nextSyncToken!, this.clock.now());
          }
        } else {
          // A last page written in parts side by side: the token follows in a transaction of its own.
          const completionAlone = last && parts.length > 1 && limit > 1;
          const apply = (part: () => PreparedPart, completes: boolean) =>
            write(() =>
              this.uow.run((tx) =>
                this.applyPart(
                  tx,
                  lease,
                  part,
                  generation,
                  window,
                  completes ? { syncToken: page.nextSyncToken!, full } : null,
                ),
              ),
            );
          for (const [index, part] of parts.entries()) {
            const completes = last && !completionAlone && index === parts.length - 1;
            // The token (and, after a full sync, forgetting what was not seen) only on top of every other page.
            if (completes) await allCommitted();
            await apply(part, completes);
          }
          if (completionAlone) {
            await allCommitted();
            await apply(() => this.prepare([], null, window), true);
          }
        }
        pages++;
        events += page.events.length;
      }
      await allCommitted();
    } catch (error) {
      // No write of this sync may outlive it: the caller releases the lease and records the failure next.
      await Promise.allSettled(inFlight);
      throw error;
    }
    // An incremental sync that found nothing is routine (a busy calendar's pushes cause one a second): debug only.
    if (full || events > 0) log.info('calendar synced', { full, pages, events });
    else log.debug('calendar synced', { full, pages, events });
    return { outcome: 'synced', full, pages, events };
  }

  /**
   * A page's transactions: at most `eventsPerTransaction` events each. A last page with room for several
   * transactions in flight is shared out between them: nothing is downloading any more, and the sync ends when its
   * last transaction commits.
   */
  private partsOf(events: readonly CalendarEvent[], last: boolean, limit: number): CalendarEvent[][] {
    let size = this.settings.eventsPerTransaction ?? Number.POSITIVE_INFINITY;
    if (last && limit > 1 && events.length >= LAST_PAGE_SHARED_FROM) {
      size = Math.min(size, Math.ceil(events.length / limit));
    }
    const parts: CalendarEvent[][] = [];
    for (let from = 0; from === 0 || from < events.length; from += size) {
      parts.push(events.slice(from, from + size));
    }
    return parts;
  }

  /** Maps a transaction's events to meetings and their lookup keys: pure, so it need not hold the database. */
  private prepare(
    events: readonly CalendarEvent[],
    timeZone: string | null,
    window: SyncWindow,
  ): PreparedPart {
    const removed: string[] = [];
    const kept: PreparedPart['kept'] = [];
    for (const event of events) {
      const meeting = isLive(event) ? meetingFromEvent(event, timeZone) : null;
      // Beyond the window (an incremental sync lists a changed series' occurrences for years ahead): not recorded.
      if (meeting === null || meeting.startTime >= window.end) {
        removed.push(event.eventId);
        continue;
      }
      const keys = this.matcher.lookupKeys(meeting.attendees.map((a) => a.email));
      kept.push({ eventId: event.eventId, seriesId: isLive(event) ? event.seriesId : null, meeting, keys });
    }
    return { removed, kept, keys: batchKeys(kept.map((copy) => copy.keys)) };
  }

  private async applyPart(
    tx: TransactionScope,
    lease: SyncLease,
    prepared: () => PreparedPart,
    generation: number,
    window: SyncWindow,
    completion: { syncToken: string; full: boolean } | null,
  ): Promise<void> {
    // The matching lock first, as every transaction takes it: a sign-in holds it exclusively while it saves the
    // member, and taking the member's row first would deadlock with it.
    await tx.meetings.lockMatchingData('share');
    await tx.syncs.hold(lease);
    await this.writePart(tx, lease.memberId, prepared(), generation);
    if (completion !== null) {
      if (completion.full) await tx.meetings.removeUnseenCopies(lease.memberId, generation, window.start);
      await tx.syncs.completeSync(lease, completion.syncToken, this.clock.now());
    }
  }

  /** A part's copies, matched on what the database holds now; in a transaction that holds the matching lock. */
  private async writePart(
    tx: TransactionScope,
    memberId: string,
    part: PreparedPart,
    generation: number,
  ): Promise<void> {
    if (part.removed.length > 0) await tx.meetings.removeCopies(memberId, part.removed);
    if (part.kept.length === 0) return;
    const { memberEmails, lookups } = await tx.matchLookups.fetch(part.keys.emails, part.keys.domains);
    const copies: MatchedCopy[] = part.kept.map(({ eventId, seriesId, meeting, keys }) => ({
      eventId,
      seriesId,
      meeting,
      matched: matchMeeting(meeting.attendees, this.matcher, memberEmails, lookups),
      matchKeys: toMatchKeys(keys),
    }));
    await tx.meetings.saveCopies(memberId, generation, copies);
  }

  /**
   * Writes a transaction's worth of made-up meetings twice (new, then changed), as a sync's pages do, for a
   * made-up member and accounts, in a transaction that is then rolled back: nothing stays. On the embedded database
   * the first page after a start otherwise pays, while every API read waits for it, for what the database loads
   * and grows on first use: WebAssembly compiled lazily, catalog caches, trigger functions, its memory.
   */
  async warmUp(): Promise<void> {
    const rollBack = new Error('warm-up rolled back');
    const tag = randomUUID();
    const domains = [1, 2, 3].map((n) => EmailDomain.parse(`${tag}-${n}.invalid`)!);
    const memberEmail = `member@${domains[0]!.value}`;
    const now = this.clock.now();
    const window: SyncWindow = {
      start: new Date(now.getTime() - DAY_MS),
      end: new Date(now.getTime() + DAY_MS),
    };
    const person = (email: string, self?: boolean) => ({
      email,
      displayName: self === true ? null : 'Guest',
      responseStatus: 'accepted',
      resource: false,
      ...(self === true ? { self } : {}),
    });
    const events = (title: string, updated: Date): CalendarEvent[] =>
      Array.from({ length: Math.min(this.settings.eventsPerTransaction ?? 50, 500) }, (_, n) => ({
        status: 'confirmed',
        eventId: `${tag}-${n}`,
        iCalUID: `${tag}-${n}@warm-up`,
        seriesId: null,
        originalStart: null,
        eventType: 'default',
        private: false,
        title,
        start: { kind: 'instant', at: new Date(now.getTime() - n * 1_200_000), timeZone: null },
        end: { kind: 'instant', at: new Date(now.getTime() - n * 1_200_000 + 1_800_000), timeZone: null },
        attendees: [
          person(memberEmail, true),
          ...domains.map((domain) => person(`guest-${n}@${domain.value}`)),
        ],
        attendeesOmitted: false,
        updated,
      }));
    try {
      await this.uow.run(async (tx) => {
        // The matching lock first, as every transaction takes it (see applyPart).
        await tx.meetings.lockMatchingData('share');
        await tx.accounts.upsertMany(
          domains.map((domain, n) => ({ id: `warm-up-${tag}-${n}`, name: 'warm-up', domains: [domain] })),
        );
        const member = await tx.members.enrol(memberEmail, null);
        const later = new Date(now.getTime() + 1000);
        for (const [title, updated] of [
          ['new', now],
          ['changed', later],
        ] as const)
          await this.writePart(tx, member.memberId, this.prepare(events(title, updated), 'UTC', window), 1);
        throw rollBack;
      });
    } catch (error) {
      if (error !== rollBack) throw error;
    }
  }
}

function isLive(event: CalendarEvent): event is Extract<CalendarEvent, { iCalUID: string }> {
  return event.status !== 'cancelled';
}
