import { AesGcmTokenCipher } from '../../../src/adapters/crypto/aes-gcm-token-cipher';
import { PublicListsDomainKnowledge } from '../../../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import {
  GoogleRequestError,
  GrantRevokedError,
  RateLimitedError,
  SyncLeaseLostError,
  SyncTokenExpiredError,
} from '../../../src/application/errors';
import type {
  CalendarGateway,
  CalendarSession,
  EventsPage,
  GoogleCredentials,
  ListEventsQuery,
} from '../../../src/application/ports/calendar-gateway.port';
import type { MatchedCopy, MeetingRepository } from '../../../src/application/ports/meeting-repository.port';
import type { MemberRepository } from '../../../src/application/ports/member-repository.port';
import type { TransactionScope, UnitOfWork } from '../../../src/application/ports/unit-of-work.port';
import { MemberSessions } from '../../../src/application/member-sessions';
import type { SyncLease, SyncQueue } from '../../../src/application/ports/sync-queue.port';
import { RetryPolicy } from '../../../src/application/retry-policy';
import { SyncCalendar } from '../../../src/application/use-cases/sync-calendar.use-case';
import { AccountMatcher } from '../../../src/domain/account-matcher';
import type { CalendarEvent } from '../../../src/domain/meeting';
import {
  type ConnectionStatus,
  MemberConnection,
  RECONNECT_REASON_TEXT,
  type ReconnectReason,
} from '../../../src/domain/member-connection';
import { RecordingLogger } from '../../support/logger';

const NOW = new Date('2026-11-25T12:00:00Z');
const MEMBER = '00000000-0000-4000-8000-000000000001';
const cipher = new AesGcmTokenCipher('unit-test-secret-key-0123456789-abcdef');
const CREDENTIALS: GoogleCredentials = {
  accessToken: 'at-1',
  refreshToken: 'rt-1',
  expiryDate: 1,
  scope: 's',
};

const timed = (id: string, attendees: string[] = ['tess@logo.com']): CalendarEvent => ({
  status: 'confirmed',
  eventId: id,
  iCalUID: `${id}@google.com`,
  seriesId: null,
  originalStart: null,
  eventType: 'default',
  private: false,
  title: `Meeting ${id}`,
  start: { kind: 'instant', at: new Date('2026-11-20T15:00:00Z'), timeZone: null },
  end: { kind: 'instant', at: new Date('2026-11-20T15:30:00Z'), timeZone: null },
  attendees: attendees.map((email) => ({
    email,
    displayName: null,
    responseStatus: 'accepted',
    resource: false,
  })),
  attendeesOmitted: false,
  updated: new Date('2026-11-01T00:00:00Z'),
});

const page = (events: CalendarEvent[], next: { page?: string; sync?: string }): EventsPage => ({
  events,
  nextPageToken: next.page ?? null,
  nextSyncToken: next.sync ?? null,
  timeZone: 'UTC',
});

/** A calendar that answers a script: each call takes the next answer (a page or an error). */
class ScriptedSession implements CalendarSession {
  readonly queries: ListEventsQuery[] = [];
  current: GoogleCredentials;

  constructor(
    private readonly script: (EventsPage | Error)[],
    credentials: GoogleCredentials,
    /** Credentials the client "refreshes" to on its first call, as the real client does when a token expired. */
    private readonly refreshed?: GoogleCredentials,
    /** Called on every list call: what happens elsewhere while the sync waits for Google. */
    private readonly onList?: () => void,
    /** How long Google takes to answer each call after the first. */
    private readonly laterPagesMs = 0,
  ) {
    this.current = credentials;
  }

  primaryCalendar() {
    return Promise.resolve({ id: 'me@ourco.com', timeZone: 'UTC' });
  }

  listEvents(query: ListEventsQuery): Promise<EventsPage> {
    this.queries.push(query);
    this.onList?.();
    if (this.refreshed) this.current = this.refreshed;
    const next = this.script.shift();
    if (next === undefined) throw new Error('script ran out');
    const answer = () => (next instanceof Error ? Promise.reject(next) : Promise.resolve(next));
    if (this.queries.length === 1 || this.laterPagesMs === 0) return answer();
    return new Promise((resolve) => setTimeout(resolve, this.laterPagesMs)).then(answer);
  }

  credentials() {
    return this.current;
  }

  watch(): Promise<never> {
    return Promise.reject(new Error('not scripted'));
  }

  stopChannel(): Promise<never> {
    return Promise.reject(new Error('not scripted'));
  }
}

/** What the transactions wrote, kept only when they commit (a throw rolls back). */
class World {
  syncToken: string | null = null;
  generation = 0;
  status: ConnectionStatus = 'active';
  reason: ReconnectReason | null = null;
  lastError: string | null = null;
  version = 0;
  credentials: Uint8Array | null = cipher.encrypt(JSON.stringify(CREDENTIALS), MEMBER);
  /** Who holds the calendar's lease. */
  leaseOwner: string | null = null;
  saved: { generation: number | null; copies: MatchedCopy[] }[] = [];
  removed: string[][] = [];
  unseenRemovals: { generation: number; windowStart: Date }[] = [];
  transactions = 0;
  /** Tokens stored by one statement, outside a page's transaction. */
  tokensStoredAlone = 0;
  /** Transactions begun, numbered from 1, and what became of each, in order. */
  begun = 0;
  log: string[] = [];
  /** Runs before the transaction numbered `ordinal` commits; a throw rolls it back. */
  beforeCommit: ((ordinal: number) => Promise<void>) | null = null;

  /** Resolves once `count` transactions began; rejects, saying so, if they do not within a second. */
  async untilBegun(count: number, what: string): Promise<void> {
    const deadline = Date.now() + 1_000;
    while (this.begun < count) {
      if (Date.now() > deadline) throw new Error(`${what} never began`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function fakes(world: World) {
  const held = (lease: SyncLease) => {
    if (world.leaseOwner !== lease.owner || world.status !== 'active') throw new SyncLeaseLostError('lost');
  };
  const members: Partial<MemberRepository> = {
    syncState: () =>
      Promise.resolve({
        connection: MemberConnection.restore({
          memberId: MEMBER,
          email: 'me@ourco.com',
          status: world.status,
          via: 'oauth',
          reason: world.reason,
          lastError: world.lastError,
          credentials: world.credentials,
          version: world.version,
        }),
        timeZone: 'UTC',
        syncToken: world.syncToken,
        generation: world.generation,
      }),
    save: (connection) => {
      if (connection.version !== world.version) return Promise.resolve(false);
      const next = connection.snapshot();
      Object.assign(world, {
        status: next.status,
        reason: next.reason,
        lastError: next.lastError,
        credentials: next.credentials,
        version: world.version + (connection.changesEpoch ? 1 : 0),
      });
      connection.saved(world.version);
      return Promise.resolve(true);
    },
  };
  const queue: Partial<SyncQueue> = {
    acquire: (memberId, owner) => {
      if (world.leaseOwner !== null) return Promise.resolve(null);
      world.leaseOwner = owner;
      return Promise.resolve({ memberId, owner });
    },
    release: (lease) => {
      if (world.leaseOwner === lease.owner) world.leaseOwner = null;
      return Promise.resolve();
    },
    beginFullSync: (lease) => {
      held(lease);
      world.syncToken = null;
      return Promise.resolve(++world.generation);
    },
    completeSync: (lease, token) => {
      held(lease);
      world.syncToken = token;
      world.tokensStoredAlone++;
      return Promise.resolve();
    },
  };
  const uow: UnitOfWork = {
    async run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
      const staged = {
        saved: [] as World['saved'],
        removed: [] as string[][],
        unseen: [] as World['unseenRemovals'],
      };
      let token = world.syncToken;
      const meetings: Partial<MeetingRepository> = {
        lockMatchingData: () => Promise.resolve(),
        saveCopies: (_m, generation, copies) => {
          staged.saved.push({ generation, copies: [...copies] });
          return Promise.resolve();
        },
        removeCopies: (_m, ids) => {
          staged.removed.push([...ids]);
          return Promise.resolve();
        },
        removeUnseenCopies: (_m, generation, windowStart) => {
          staged.unseen.push({ generation, windowStart });
          return Promise.resolve();
        },
      };
      const syncs: Partial<SyncQueue> = {
        hold: (lease) => Promise.resolve(held(lease)),
        completeSync: (lease, t) => {
          held(lease);
          token = t;
          return Promise.resolve();
        },
      };
      const scope = {
        members,
        meetings,
        syncs,
        matchLookups: {
          fetch: () =>
            Promise.resolve({
              memberEmails: new Set(['me@ourco.com']),
              lookups: { contactsByEmail: new Map(), accountIdsByDomain: new Map([['logo.com', ['logo']]]) },
            }),
        },
      } as unknown as TransactionScope;
      const ordinal = ++world.begun;
      world.log.push(`begin ${ordinal}`);
      let result: T;
      try {
        result = await work(scope);
        await world.beforeCommit?.(ordinal);
      } catch (error) {
        world.log.push(`rollback ${ordinal}`);
        throw error;
      }
      world.saved.push(...staged.saved);
      world.removed.push(...staged.removed);
      world.unseenRemovals.push(...staged.unseen);
      world.syncToken = token;
      world.transactions++;
      world.log.push(`commit ${ordinal}`);
      return result;
    },
  };
  return { members: members as MemberRepository, queue: queue as SyncQueue, uow };
}

function setup(
  script: (EventsPage | Error)[],
  options: {
    world?: World;
    refreshed?: GoogleCredentials;
    onList?: () => void;
    eventsPerTransaction?: number;
    transactionsInFlight?: number;
    laterPagesMs?: number;
    matcher?: AccountMatcher;
  } = {},
) {
  const world = options.world ?? new World();
  const { members, queue, uow } = fakes(world);
  const sessions: ScriptedSession[] = [];
  const gateway: CalendarGateway = {
    session: (credentials) => {
      const session = new ScriptedSession(
        script,
        credentials,
        options.refreshed,
        options.onList,
        options.laterPagesMs,
      );
      sessions.push(session);
      return session;
    },
    delegatedSession: () => {
      throw new Error('no delegation in these tests');
    },
  };
  const delays: number[] = [];
  const retry = new RetryPolicy(
    { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
    (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    () => 1,
  );
  const logger = new RecordingLogger();
  const sync = new SyncCalendar(
    {
      lookbackDays: 90,
      lookaheadDays: 180,
      leaseMs: 60_000,
      ...(options.eventsPerTransaction === undefined
        ? {}
        : { eventsPerTransaction: options.eventsPerTransaction }),
      ...(options.transactionsInFlight === undefined
        ? {}
        : { transactionsInFlight: options.transactionsInFlight }),
    },
    uow,
    members,
    queue,
    new MemberSessions(members, gateway, cipher, logger),
    options.matcher ?? new AccountMatcher(new PublicListsDomainKnowledge(), []),
    retry,
    { now: () => NOW },
    logger,
  );
  return { sync, world, sessions, delays, logger };
}

describe('SyncCalendar', () => {
  it('starts with a full sync from the lookback and stores the token with the last page only', async () => {
    const { sync, world, sessions } = setup([
      page([timed('a')], { page: 'p2' }),
      page([timed('b')], { sync: 'token-1' }),
    ]);
    await expect(sync.execute(MEMBER)).resolves.toEqual({
      outcome: 'synced',
      full: true,
      pages: 2,
      events: 2,
    });
    expect(sessions[0]!.queries).toEqual([
      {
        kind: 'full',
        timeMin: new Date('2026-08-27T12:00:00Z'),
        timeMax: new Date('2027-05-24T12:00:00Z'),
        pageToken: null,
      },
      {
        kind: 'full',
        timeMin: new Date('2026-08-27T12:00:00Z'),
        timeMax: new Date('2027-05-24T12:00:00Z'),
        pageToken: 'p2',
      },
    ]);
    expect(world.transactions).toBe(2);
    expect(world.syncToken).toBe('token-1');
    expect(world.saved.map((s) => s.copies.map((c) => c.eventId))).toEqual([['a'], ['b']]);
    expect(world.saved[0]!.copies[0]!.matched.interactions).toEqual([
      { accountId: 'logo', matchedBy: 'domain' },
    ]);
    expect(world.unseenRemovals).toEqual([{ generation: 1, windowStart: new Date('2026-08-27T12:00:00Z') }]);
  });

  it('splits a page into transactions of eventsPerTransaction, the token with the very last one', async () => {
    const { sync, world } = setup(
      [page([timed('a'), timed('b'), timed('c')], { page: 'p2' }), page([], { sync: 'token-1' })],
      { eventsPerTransaction: 2 },
    );
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', pages: 2, events: 3 });
    expect(world.saved.map((s) => s.copies.map((c) => c.eventId))).toEqual([['a', 'b'], ['c']]);
    // The empty last page still gets its transaction: it stores the token and forgets the copies not seen.
    expect(world.transactions).toBe(3);
    expect(world.syncToken).toBe('token-1');
    expect(world.unseenRemovals).toHaveLength(1);
  });

  it('writes the next page while the one before commits, the token only on top of every page', async () => {
    const world = new World();
    // The first page's transaction stays open until the second one has begun; the second a while longer.
    world.beforeCommit = (ordinal) =>
      ordinal === 1
        ? world.untilBegun(2, 'the second page, while the first was open,')
        : new Promise((resolve) => setTimeout(resolve, ordinal === 2 ? 50 : 0));
    const { sync } = setup(
      [
        page([timed('a')], { page: 'p2' }),
        page([timed('b')], { page: 'p3' }),
        page([timed('c')], { sync: 'token-1' }),
      ],
      { world, transactionsInFlight: 2 },
    );
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', pages: 3, events: 3 });
    expect(world.log.slice(0, 2)).toEqual(['begin 1', 'begin 2']);
    // The last page stores the token and forgets what was not seen: only once both others committed.
    expect(world.log.indexOf('begin 3')).toBeGreaterThan(world.log.indexOf('commit 1'));
    expect(world.log.indexOf('begin 3')).toBeGreaterThan(world.log.indexOf('commit 2'));
    expect(world.log.at(-1)).toBe('commit 3');
    expect(world.syncToken).toBe('token-1');
    expect(world.unseenRemovals).toHaveLength(1);
    expect(world.saved.flatMap((s) => s.copies.map((c) => c.eventId)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('fails, storing no token, when a page fails while the next is written, and leaves no write running', async () => {
    const world = new World();
    let failed = false;
    world.beforeCommit = async (ordinal) => {
      if (ordinal === 1) {
        await world.untilBegun(2, 'the second page');
        failed = true;
        throw new Error('page 1 failed');
      }
      // The second page commits only after the first failed, and a little later still.
      while (!failed) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const { sync } = setup(
      [
        page([timed('a')], { page: 'p2' }),
        page([timed('b')], { page: 'p3' }),
        page([timed('c')], { sync: 'token-1' }),
      ],
      { world, transactionsInFlight: 2 },
    );
    await expect(sync.execute(MEMBER)).rejects.toThrow('page 1 failed');
    world.log.push('execute settled');
    expect(world.log).toEqual(['begin 1', 'begin 2', 'rollback 1', 'commit 2', 'execute settled']);
    expect(world.syncToken).toBeNull();
    expect(world.lastError).toBe('Sync failed: page 1 failed');
  });

  it('fails, storing no token, when a page fails while nobody waits for it (the next page still downloading)', async () => {
    const world = new World();
    world.beforeCommit = (ordinal) => Promise.reject(new Error(`page ${ordinal} failed`));
    const { sync } = setup(
      [
        page([timed('a')], { page: 'p2' }),
        page([timed('b')], { page: 'p3' }),
        page([timed('c')], { sync: 'token-1' }),
      ],
      { world, transactionsInFlight: 2, laterPagesMs: 50 },
    );
    await expect(sync.execute(MEMBER)).rejects.toThrow('page 1 failed');
    // Nothing after the failure: above all not the last page, which would store the token and, after a full
    // sync, forget the copies the failed page held.
    expect(world.log).toEqual(['begin 1', 'rollback 1']);
    expect(world.syncToken).toBeNull();
    expect(world.unseenRemovals).toEqual([]);
  });

  it("fails with Google's error when the next page fails to download while a page is written", async () => {
    const world = new World();
    world.beforeCommit = () => new Promise((resolve) => setTimeout(resolve, 50));
    const { sync } = setup([page([timed('a')], { page: 'p2' }), new GoogleRequestError('page 2 refused')], {
      world,
    });
    await expect(sync.execute(MEMBER)).rejects.toThrow('page 2 refused');
    expect(world.log).toEqual(['begin 1', 'commit 1']);
    expect(world.syncToken).toBeNull();
  });

  it('fails in the transaction, storing no token, when a page cannot be prepared, and prepares nothing after', async () => {
    const world = new World();
    const asked: string[] = [];
    /** Refuses the attendee who makes the second page unpreparable. */
    class Refusing extends AccountMatcher {
      override lookupKeys(rawEmails: Iterable<string>) {
        const emails = [...rawEmails];
        asked.push(...emails);
        if (emails.includes('bad@logo.com')) throw new Error('cannot prepare');
        return super.lookupKeys(emails);
      }
    }
    const { sync } = setup(
      [
        page([timed('a')], { page: 'p2' }),
        page([timed('b', ['bad@logo.com'])], { page: 'p3' }),
        page([timed('c', ['late@logo.com'])], { sync: 'token-1' }),
      ],
      { world, laterPagesMs: 50, matcher: new Refusing(new PublicListsDomainKnowledge(), []) },
    );
    await expect(sync.execute(MEMBER)).rejects.toThrow('cannot prepare');
    // The page after arrives once the sync failed: its turn may neither throw where nobody catches it nor
    // prepare it.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(world.log).toEqual(['begin 1', 'commit 1', 'begin 2', 'rollback 2']);
    expect(world.syncToken).toBeNull();
    expect(world.lastError).toBe('Sync failed: cannot prepare');
    expect(asked).not.toContain('late@logo.com');
  });

  it('stores a token alone, after an empty last page, only once the pages before it committed', async () => {
    const world = new World();
    world.syncToken = 'token-1';
    world.beforeCommit = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      world.log.push(`token then ${world.syncToken}`);
    };
    const { sync } = setup([page([timed('a')], { page: 'p2' }), page([], { sync: 'token-2' })], {
      world,
      transactionsInFlight: 2,
    });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', pages: 2, events: 1 });
    expect(world.log).toEqual(['begin 1', 'token then token-1', 'commit 1']);
    expect(world.syncToken).toBe('token-2');
    expect(world.tokensStoredAlone).toBe(1);
  });

  it('shares a large last page between the transactions in flight, then stores the token alone on top', async () => {
    const world = new World();
    // The first half stays open until the second has begun: both are written at once.
    world.beforeCommit = (ordinal) =>
      ordinal === 1 ? world.untilBegun(2, 'the second half of the last page') : Promise.resolve();
    const events = Array.from({ length: 301 }, (_, i) => timed(`e${i}`));
    const { sync } = setup([page(events, { sync: 'token-1' })], { world, transactionsInFlight: 2 });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', pages: 1, events: 301 });
    expect(world.log.slice(0, 2)).toEqual(['begin 1', 'begin 2']);
    expect(world.log.indexOf('begin 3')).toBeGreaterThan(world.log.indexOf('commit 1'));
    expect(world.log.indexOf('begin 3')).toBeGreaterThan(world.log.indexOf('commit 2'));
    expect(world.log.at(-1)).toBe('commit 3');
    // Every event once, in the two halves; the third transaction only stores the token and forgets the unseen.
    expect(world.saved.map((s) => s.copies.length)).toEqual([151, 150]);
    expect(new Set(world.saved.flatMap((s) => s.copies.map((c) => c.eventId))).size).toBe(301);
    expect(world.syncToken).toBe('token-1');
    expect(world.unseenRemovals).toHaveLength(1);
  });

  it('stores no token when a part of a shared last page fails', async () => {
    const world = new World();
    world.beforeCommit = async (ordinal) => {
      if (ordinal !== 2) return;
      await world.untilBegun(2, 'the second half');
      throw new Error('second half failed');
    };
    const events = Array.from({ length: 300 }, (_, i) => timed(`e${i}`));
    const { sync } = setup([page(events, { sync: 'token-1' })], { world, transactionsInFlight: 2 });
    await expect(sync.execute(MEMBER)).rejects.toThrow('second half failed');
    expect(world.log).not.toContain('begin 3');
    expect(world.syncToken).toBeNull();
    expect(world.unseenRemovals).toEqual([]);
  });

  it('keeps a small last page, token included, in one transaction even with several in flight', async () => {
    const events = Array.from({ length: 199 }, (_, i) => timed(`e${i}`));
    const { sync, world } = setup([page(events, { sync: 'token-1' })], { transactionsInFlight: 2 });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', events: 199 });
    expect(world.log).toEqual(['begin 1', 'commit 1']);
    expect(world.syncToken).toBe('token-1');
  });

  it('keeps no token when it fails mid-way, so the next run repeats the same pages', async () => {
    const world = new World();
    const first = setup([page([timed('a')], { page: 'p2' }), new GoogleRequestError('boom')], { world });
    await expect(first.sync.execute(MEMBER)).rejects.toThrow('boom');
    expect(world.syncToken).toBeNull();
    expect(world.lastError).toBe('Sync failed: boom');
    const second = setup([page([timed('a')], { page: 'p2' }), page([timed('b')], { sync: 'token-1' })], {
      world,
    });
    await second.sync.execute(MEMBER);
    expect(second.sessions[0]!.queries[0]).toMatchObject({ kind: 'full', pageToken: null });
    expect(world.syncToken).toBe('token-1');
  });

  it('stores the new token alone, without a transaction, when nothing changed', async () => {
    const world = new World();
    world.syncToken = 'token-1';
    const { sync } = setup([page([], { page: 'p2' }), page([], { sync: 'token-2' })], { world });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', pages: 2, events: 0 });
    expect(world.syncToken).toBe('token-2');
    expect(world.tokensStoredAlone).toBe(1);
    expect(world.transactions).toBe(0);
  });

  it('logs a sync at info when it was full or found events, and one that found nothing at debug', async () => {
    const levels = async (pages: ReturnType<typeof page>[], world: World) => {
      const { sync, logger } = setup(pages, { world });
      await sync.execute(MEMBER);
      return logger.entries.filter((e) => e.message === 'calendar synced').map((e) => e.level);
    };
    const incremental = () => Object.assign(new World(), { syncToken: 'token-1' });
    expect(await levels([page([], { sync: 'token-2' })], incremental())).toEqual(['debug']);
    expect(await levels([page([timed('a')], { sync: 'token-2' })], incremental())).toEqual(['info']);
    expect(await levels([page([], { sync: 'token-1' })], new World())).toEqual(['info']);
  });

  it('syncs incrementally with the stored token', async () => {
    const world = new World();
    world.syncToken = 'token-1';
    world.generation = 3;
    const { sync, sessions } = setup([page([timed('a')], { sync: 'token-2' })], { world });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', full: false });
    expect(sessions[0]!.queries).toEqual([{ kind: 'incremental', syncToken: 'token-1', pageToken: null }]);
    expect(world.saved[0]!.generation).toBe(3);
    expect(world.unseenRemovals).toEqual([]);
    expect(world.syncToken).toBe('token-2');
  });

  it('removes cancelled and all-day events, stores timed ones', async () => {
    const allDay: CalendarEvent = {
      ...(timed('c') as Extract<CalendarEvent, { iCalUID: string }>),
      start: { kind: 'day', date: '2026-11-20' },
      end: { kind: 'day', date: '2026-11-21' },
    };
    const world = new World();
    world.syncToken = 'token-1';
    const { sync } = setup(
      [page([timed('a'), { status: 'cancelled', eventId: 'b' }, allDay], { sync: 't2' })],
      {
        world,
      },
    );
    await sync.execute(MEMBER);
    expect(world.removed).toEqual([['b', 'c']]);
    expect(world.saved.flatMap((s) => s.copies.map((c) => c.eventId))).toEqual(['a']);
  });

  it('answers 410 by forgetting the token and syncing in full', async () => {
    const world = new World();
    world.syncToken = 'stale';
    const { sync, sessions } = setup(
      [new SyncTokenExpiredError('gone'), page([timed('a')], { sync: 'fresh' })],
      { world },
    );
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'synced', full: true });
    expect(sessions[0]!.queries.map((q) => q.kind)).toEqual(['incremental', 'full']);
    expect(world.generation).toBe(1);
    expect(world.syncToken).toBe('fresh');
  });

  it('backs off exponentially with a cap on rate limits, then succeeds', async () => {
    const limited = () => new RateLimitedError('slow down');
    const { sync, delays, world } = setup([
      limited(),
      limited(),
      limited(),
      page([timed('a')], { sync: 't' }),
    ]);
    await sync.execute(MEMBER);
    expect(delays).toEqual([100, 200, 250]);
    expect(world.syncToken).toBe('t');
  });

  it('gives up after the last attempt and records the error', async () => {
    const limited = () => new RateLimitedError('slow down');
    const { sync, world } = setup([limited(), limited(), limited(), limited()]);
    await expect(sync.execute(MEMBER)).rejects.toBeInstanceOf(RateLimitedError);
    expect(world.lastError).toBe('Sync failed: slow down');
    expect(world.status).toBe('active');
  });

  it('marks the member needs_reconnect when the grant is revoked', async () => {
    const { sync, world } = setup([new GrantRevokedError('invalid_grant')]);
    await expect(sync.execute(MEMBER)).resolves.toEqual({ outcome: 'needs_reconnect' });
    expect(world.status).toBe('needs_reconnect');
    expect(world.lastError).toBe(RECONNECT_REASON_TEXT.grant_revoked);
    expect(world.reason).toBe('grant_revoked');
  });

  it('skips a member who is not connected', async () => {
    const world = new World();
    world.status = 'needs_reconnect';
    const { sync, sessions } = setup([], { world });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(sessions).toHaveLength(0);
  });

  it('stores refreshed access tokens encrypted, keeping the refresh token', async () => {
    const { sync, world } = setup([page([], { sync: 't' })], {
      refreshed: { accessToken: 'at-2', refreshToken: null, expiryDate: 2, scope: 's' },
    });
    await sync.execute(MEMBER);
    expect(Buffer.from(world.credentials!).toString('utf8')).not.toContain('at-2');
    expect(JSON.parse(cipher.decrypt(world.credentials!, MEMBER))).toEqual({
      accessToken: 'at-2',
      refreshToken: 'rt-1',
      expiryDate: 2,
      scope: 's',
    });
  });

  it('stops, writing nothing more, once another worker took the calendar over', async () => {
    const world = new World();
    let calls = 0;
    const pages = [
      page([timed('a')], { page: 'p2' }),
      page([timed('b')], { page: 'p3' }),
      page([timed('c')], { sync: 't' }),
    ];
    const { sync } = setup(pages, {
      world,
      // The third page downloads while the second is written: meanwhile this worker's lease lapses and another
      // worker claims the calendar.
      onList: () => {
        if (++calls === 3) world.leaseOwner = 'the-other-worker';
      },
    });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(world.saved.flatMap((s) => s.copies.map((c) => c.eventId))).toEqual(['a']);
    expect(world.syncToken).toBeNull();
    expect(world.lastError).toBeNull();
    expect(world.leaseOwner).toBe('the-other-worker');
  });

  it('writes nothing, refreshed tokens included, for a member disconnected during the sync', async () => {
    const world = new World();
    const { sync } = setup([page([timed('a')], { sync: 't' })], {
      world,
      refreshed: { accessToken: 'at-2', refreshToken: null, expiryDate: 2, scope: 's' },
      // Disconnect while Google answers: credentials deleted, version moved, lease ended.
      onList: () =>
        Object.assign(world, { status: 'disconnected', credentials: null, version: 1, leaseOwner: null }),
    });
    await expect(sync.execute(MEMBER)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(world).toMatchObject({
      credentials: null,
      syncToken: null,
      status: 'disconnected',
      lastError: null,
    });
    expect(world.saved).toEqual([]);
  });

  it('makes a member whose credentials no longer decrypt needs_reconnect, saying why, without calling Google', async () => {
    const world = new World();
    world.credentials = new AesGcmTokenCipher('another-secret-key-0123456789-abcdefgh').encrypt(
      JSON.stringify(CREDENTIALS),
      MEMBER,
    );
    const { sync, sessions } = setup([], { world });
    await expect(sync.execute(MEMBER)).resolves.toEqual({ outcome: 'needs_reconnect' });
    expect(sessions).toHaveLength(0);
    expect(world).toMatchObject({
      status: 'needs_reconnect',
      reason: 'credentials_unreadable',
      lastError: RECONNECT_REASON_TEXT.credentials_unreadable,
    });
  });
});
