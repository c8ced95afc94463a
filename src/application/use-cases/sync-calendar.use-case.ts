import { inject, injectable } from 'inversify';

import type { AccountMatcher } from '../../domain/account-matcher';
import { type CalendarEvent, matchMeeting, meetingFromEvent } from '../../domain/meeting';
import { GrantRevokedError, GoogleRequestError, SyncTokenExpiredError } from '../errors';
import type { CalendarSession, EventsPage } from '../ports/calendar-gateway.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { MatchedCopy } from '../ports/meeting-repository.port';
import type { MemberRepository, SyncState } from '../ports/member-repository.port';
import { TOKENS } from '../ports/tokens';
import type { TransactionScope, UnitOfWork } from '../ports/unit-of-work.port';
import { toMatchKeys } from './match-keys';
import { MemberSessions } from './member-sessions';
import type { RetryPolicy } from './retry-policy';

export interface SyncSettings {
  lookbackDays: number;
}

export type SyncOutcome =
  | { outcome: 'synced'; full: boolean; pages: number; events: number }
  | { outcome: 'skipped'; why: string }
  | { outcome: 'needs_reconnect' };

export const RECONNECT_MESSAGE = 'Google access was revoked or has expired: the member must reconnect';

/**
 * Pulls what changed in a member's calendar and stores it as meetings and interactions.
 *
 * With a stored sync token it lists only the changes; without one (first sync, a forced full sync, or after
 * Google's 410) it lists everything from SYNC_LOOKBACK_DAYS ago on, then forgets copies it did not see again.
 * Each page is applied in one transaction and the new sync token is stored with the last page only, so a crash
 * mid-way repeats the same pages, which is harmless. Rate limits and server errors are retried with backoff.
 */
@injectable()
export class SyncCalendar {
  constructor(
    @inject(TOKENS.SyncSettings) private readonly settings: SyncSettings,
    @inject(TOKENS.UnitOfWork) private readonly uow: UnitOfWork,
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(TOKENS.AccountMatcher) private readonly matcher: AccountMatcher,
    @inject(TOKENS.RetryPolicy) private readonly retry: RetryPolicy,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(memberId: string, options: { full?: boolean } = {}): Promise<SyncOutcome> {
    const state = await this.members.syncState(memberId);
    if (state === null) return { outcome: 'skipped', why: 'no such member' };
    if (state.status !== 'active' || state.credentials === null) {
      return { outcome: 'skipped', why: `connection is ${state.status}` };
    }
    const log = this.logger.child({ memberId });
    const { session, saveRefreshed } = this.sessions.open(state)!;
    try {
      const syncToken = options.full ? null : state.syncToken;
      try {
        return await this.run(session, state, syncToken, log);
      } catch (error) {
        if (!(error instanceof SyncTokenExpiredError) || syncToken === null) throw error;
        log.info('sync token expired: full sync');
        return await this.run(session, state, null, log);
      }
    } catch (error) {
      if (error instanceof GrantRevokedError) {
        await this.members.markNeedsReconnect(memberId, RECONNECT_MESSAGE);
        log.warn('grant revoked: member needs to reconnect');
        return { outcome: 'needs_reconnect' };
      }
      await this.members.recordSyncError(memberId, describeError(error));
      throw error;
    } finally {
      await saveRefreshed();
    }
  }

  private async run(
    session: CalendarSession,
    state: SyncState,
    syncToken: string | null,
    log: ReturnType<Logger['child']>,
  ): Promise<SyncOutcome> {
    const full = syncToken === null;
    const generation = full ? await this.members.beginFullSync(state.memberId) : state.generation;
    const timeMin = new Date(this.clock.now().getTime() - this.settings.lookbackDays * 86_400_000);
    const fetchPage = (pageToken: string | null): Promise<EventsPage> =>
      this.retry.run(
        () =>
          session.listEvents(
            syncToken === null
              ? { kind: 'full', timeMin, pageToken }
              : { kind: 'incremental', syncToken, pageToken },
          ),
        (error, delayMs) => log.warn('Google asked to back off', { error: describeError(error), delayMs }),
      );
    let pages = 0;
    let events = 0;
    let next: Promise<EventsPage> | null = fetchPage(null);
    while (next !== null) {
      const page: EventsPage = await next;
      const last = page.nextPageToken === null;
      if (last && page.nextSyncToken === null) {
        throw new GoogleRequestError('Google ended the event list without a sync token');
      }
      // The next page downloads while this one is written: the sync costs about the slower of the two.
      next = last ? null : fetchPage(page.nextPageToken);
      try {
        await this.uow.run((tx) =>
          this.applyPage(
            tx,
            state,
            page,
            generation,
            last ? { syncToken: page.nextSyncToken!, full, timeMin } : null,
          ),
        );
      } catch (error) {
        next?.catch(() => undefined);
        throw error;
      }
      pages++;
      events += page.events.length;
    }
    log.info('calendar synced', { full, pages, events });
    return { outcome: 'synced', full, pages, events };
  }

  private async applyPage(
    tx: TransactionScope,
    state: SyncState,
    page: EventsPage,
    generation: number,
    completion: { syncToken: string; full: boolean; timeMin: Date } | null,
  ): Promise<void> {
    await tx.meetings.lockMatchingData('share');
    const removed: string[] = [];
    const kept: { eventId: string; meeting: NonNullable<ReturnType<typeof meetingFromEvent>> }[] = [];
    for (const event of page.events) {
      const meeting = isLive(event) ? meetingFromEvent(event, page.timeZone ?? state.timeZone) : null;
      if (meeting === null) removed.push(event.eventId);
      else kept.push({ eventId: event.eventId, meeting });
    }
    if (removed.length > 0) await tx.meetings.removeCopies(state.memberId, removed);
    if (kept.length > 0) {
      const ownEmails = await tx.members.allEmails();
      const keys = this.matcher.lookupKeys(
        kept.flatMap((copy) => copy.meeting.attendees.map((a) => a.email)),
      );
      const lookups = await tx.matchLookups.fetch(keys.emails, keys.domains);
      const copies: MatchedCopy[] = kept.map(({ eventId, meeting }) => ({
        eventId,
        meeting,
        matched: matchMeeting(meeting.attendees, this.matcher, ownEmails, lookups),
        matchKeys: toMatchKeys(this.matcher.lookupKeys(meeting.attendees.map((a) => a.email))),
      }));
      await tx.meetings.saveCopies(state.memberId, generation, copies);
    }
    if (completion !== null) {
      if (completion.full)
        await tx.meetings.removeUnseenCopies(state.memberId, generation, completion.timeMin);
      await tx.members.completeSync(state.memberId, completion.syncToken, this.clock.now());
    }
  }
}

function isLive(event: CalendarEvent): event is Extract<CalendarEvent, { iCalUID: string }> {
  return event.status !== 'cancelled';
}

/** A short sentence for admins; never a token or a response body. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 300);
  return 'unknown error';
}
