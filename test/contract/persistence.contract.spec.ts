import type { DataSource } from 'typeorm';

import { TypeOrmAccountRepository } from '../../src/adapters/persistence/typeorm-account.repository';
import { TypeOrmContactRepository } from '../../src/adapters/persistence/typeorm-contact.repository';
import { TypeOrmDatabaseHealth } from '../../src/adapters/persistence/typeorm-database-health';
import { TypeOrmMatchLookupRepository } from '../../src/adapters/persistence/typeorm-match-lookup.repository';
import { TypeOrmMeetingRepository } from '../../src/adapters/persistence/typeorm-meeting.repository';
import { aContact, aMatchedCopy, anAccount } from '../support/builders';
import { databaseTargets, resetData, type TestDatabase } from '../support/databases';

/** The persistence ports' contract, run against every database the suite can reach here. */
describe.each(databaseTargets())('persistence contract on $name', (target) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let accounts: TypeOrmAccountRepository;
  let contacts: TypeOrmContactRepository;
  let lookups: TypeOrmMatchLookupRepository;

  beforeAll(async () => {
    db = await target.start();
    dataSource = db.dataSource;
    accounts = new TypeOrmAccountRepository(dataSource.manager);
    contacts = new TypeOrmContactRepository(dataSource.manager);
    lookups = new TypeOrmMatchLookupRepository(dataSource.manager);
  });

  afterAll(() => db.stop());

  const lookupsOf = async (emails: string[], domains: string[]) =>
    (await lookups.fetch(emails, domains)).lookups;

  beforeEach(() => resetData(dataSource));

  describe('schema', () => {
    it('matches the ORM entities exactly (no migration is missing)', async () => {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    });

    it('reverts and re-applies every migration', async () => {
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name IN ('accounts', 'contacts', 'meetings', 'members')`,
      );
      expect(tables[0]!.n).toBe(0);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await dataSource.showMigrations()).toBe(false);
    });
  });

  describe('accounts', () => {
    it('stores accounts with their domains, sorted', async () => {
      await accounts.upsertMany([
        anAccount('logo').named('Logo').withDomain('logo.com', 'eu.logo.com').build(),
      ]);
      expect(await accounts.get('logo')).toEqual({
        id: 'logo',
        name: 'Logo',
        domains: ['eu.logo.com', 'logo.com'],
        contactCount: 0,
      });
    });

    it('is idempotent: the same upsert twice leaves the same rows, untouched', async () => {
      const batch = [anAccount('logo').withDomain('logo.com').build(), anAccount('acme').build()];
      await accounts.upsertMany(batch);
      const before = await dataSource.query<{ id: string; updated_at: Date }[]>(
        'SELECT id, updated_at FROM accounts ORDER BY id',
      );
      await accounts.upsertMany(batch);
      const after = await dataSource.query('SELECT id, updated_at FROM accounts ORDER BY id');
      expect(after).toEqual(before);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM account_domains')).toEqual([{ n: 1 }]);
    });

    it('replaces the name and the whole domain list', async () => {
      await accounts.upsertMany([anAccount('logo').named('Old').withDomain('logo.com', 'old.com').build()]);
      await accounts.upsertMany([anAccount('logo').named('New').withDomain('logo.com', 'new.com').build()]);
      expect(await accounts.get('logo')).toMatchObject({ name: 'New', domains: ['logo.com', 'new.com'] });
    });

    it('lets several accounts list one domain', async () => {
      await accounts.upsertMany([
        anAccount('a').withDomain('shared.com').build(),
        anAccount('b').withDomain('shared.com').build(),
      ]);
      const found = await lookupsOf([], ['shared.com']);
      expect(found.accountIdsByDomain.get('shared.com')).toEqual(['a', 'b']);
    });

    it('pages by id without gaps or repeats', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `acc-${String(i).padStart(2, '0')}`);
      await accounts.upsertMany(ids.map((id) => anAccount(id).withDomain(`${id}.com`).build()));
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await accounts.list(10, after);
        seen.push(...page.accounts.map((account) => account.id));
        after = page.nextAfterId;
        pages++;
      } while (after !== null);
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
      expect((await accounts.list(10, null)).accounts[0]).toEqual({
        id: 'acc-00',
        name: 'Account acc-00',
        domains: ['acc-00.com'],
      });
    });

    it('deletes an account with its domains and contacts', async () => {
      await accounts.upsertMany([
        anAccount('logo').withDomain('logo.com').build(),
        anAccount('acme').build(),
      ]);
      await contacts.upsertMany([aContact('tess@logo.com', 'logo'), aContact('wile@acme.com', 'acme')]);
      expect(await accounts.delete('logo')).toEqual({
        domains: ['logo.com'],
        contactEmails: ['tess@logo.com'],
      });
      expect(await accounts.get('logo')).toBeNull();
      const found = await lookupsOf(['tess@logo.com', 'wile@acme.com'], ['logo.com']);
      expect([...found.contactsByEmail.keys()]).toEqual(['wile@acme.com']);
      expect(found.accountIdsByDomain.size).toBe(0);
      expect(await accounts.delete('logo')).toBeNull();
    });

    it('writes 10,000 accounts in one batch with a constant number of statements', async () => {
      const batch = Array.from({ length: 10_000 }, (_, i) =>
        anAccount(`bulk-${i}`).withDomain(`bulk-${i}.com`).build(),
      );
      const before = db.queryCounter.count;
      await accounts.upsertMany(batch);
      expect(db.queryCounter.count - before).toBeLessThanOrEqual(5);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM account_domains')).toEqual([
        { n: 10_000 },
      ]);
    });
  });

  describe('contacts', () => {
    beforeEach(() => accounts.upsertMany([anAccount('logo').build(), anAccount('acme').build()]));

    it('counts contacts on the account', async () => {
      await contacts.upsertMany([aContact('tess@logo.com', 'logo'), aContact('ann@logo.com', 'logo')]);
      expect(await accounts.get('logo')).toMatchObject({ contactCount: 2 });
    });

    it('writes nothing when one contact names an unknown account', async () => {
      const result = await contacts.upsertMany([
        aContact('tess@logo.com', 'logo'),
        aContact('x@y.com', 'ghost'),
      ]);
      expect(result.unknownAccountIds).toEqual(['ghost']);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 0 }]);
    });

    it('keeps a stored name when none is sent and clears it on an explicit null', async () => {
      await contacts.upsertMany([aContact('tess@logo.com', 'logo', 'Tess Ter')]);
      await contacts.upsertMany([aContact('tess@logo.com', 'acme')]);
      let found = await lookupsOf(['tess@logo.com'], []);
      expect(found.contactsByEmail.get('tess@logo.com')).toEqual({ accountId: 'acme', name: 'Tess Ter' });
      await contacts.upsertMany([aContact('tess@logo.com', 'acme', null)]);
      found = await lookupsOf(['tess@logo.com'], []);
      expect(found.contactsByEmail.get('tess@logo.com')).toEqual({ accountId: 'acme', name: null });
    });

    it('deletes a contact', async () => {
      await contacts.upsertMany([aContact('tess@logo.com', 'logo')]);
      expect(await contacts.delete('tess@logo.com')).toBe(true);
      expect(await contacts.delete('tess@logo.com')).toBe(false);
    });
  });

  describe('match lookups', () => {
    it('fetches any batch in one statement', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => `acc-${i}`);
      await accounts.upsertMany(ids.map((id) => anAccount(id).withDomain(`${id}.com`).build()));
      await contacts.upsertMany(ids.map((id) => aContact(`person@${id}.com`, id)));

      const roundTrips = async (size: number) => {
        const before = db.queryCounter.count;
        const found = await lookupsOf(
          ids.slice(0, size).map((id) => `person@${id}.com`),
          ids.slice(0, size).map((id) => `${id}.com`),
        );
        expect(found.contactsByEmail.size).toBe(size);
        expect(found.accountIdsByDomain.size).toBe(size);
        return db.queryCounter.count - before;
      };
      expect(await roundTrips(1)).toBe(1);
      expect(await roundTrips(200)).toBe(1);
    });

    it('returns each contact with its account and name', async () => {
      await accounts.upsertMany([anAccount('logo').withDomain('logo.com').build()]);
      await contacts.upsertMany([aContact('tess@logo.com', 'logo', 'Tess Ter')]);
      const found = await lookupsOf(['tess@logo.com', 'nobody@logo.com'], ['logo.com', 'nowhere.com']);
      expect(found.contactsByEmail).toEqual(
        new Map([['tess@logo.com', { accountId: 'logo', name: 'Tess Ter' }]]),
      );
      expect(found.accountIdsByDomain).toEqual(new Map([['logo.com', ['logo']]]));
    });

    it("reads every member's email with any batch, an empty one too", async () => {
      await dataSource.query(`INSERT INTO members (email) VALUES ('me@ourco.com'), ('cara@elsewhere.org')`);
      await accounts.upsertMany([anAccount('logo').withDomain('logo.com').build()]);
      await contacts.upsertMany([aContact('tess@logo.com', 'logo')]);
      const full = await lookups.fetch(['tess@logo.com'], ['logo.com']);
      expect([...full.memberEmails].sort()).toEqual(['cara@elsewhere.org', 'me@ourco.com']);
      expect(full.lookups.contactsByEmail.size).toBe(1);
      const before = db.queryCounter.count;
      const empty = await lookups.fetch([], []);
      expect(db.queryCounter.count - before).toBe(1);
      expect([...empty.memberEmails].sort()).toEqual(['cara@elsewhere.org', 'me@ourco.com']);
      expect(empty.lookups).toEqual({ contactsByEmail: new Map(), accountIdsByDomain: new Map() });
    });
  });

  describe('meetings', () => {
    const copy = (uid: string, updated: string, accountIds: string[]) =>
      aMatchedCopy({ eventId: `${uid}-event`, iCalUID: `${uid}@google.com`, updated, accountIds });

    it('stores new meetings in one statement, and drops the interaction of an attendee who left a stored one', async () => {
      await accounts.upsertMany([anAccount('logo').build(), anAccount('acme').build()]);
      const [member] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO members (email) VALUES ('me@ourco.com') RETURNING id`,
      );
      const meetings = new TypeOrmMeetingRepository(dataSource.manager);
      const interactions = () =>
        dataSource.query<{ account_id: string }[]>(`SELECT account_id FROM interactions ORDER BY account_id`);

      // New meetings have no interactions that could be stale: they go in with their copies and interactions.
      const before = db.queryCounter.count;
      await meetings.saveCopies(member!.id, 1, [
        copy('qbr', '2026-11-01T00:00:00Z', ['acme', 'logo']),
        copy('kickoff', '2026-11-01T00:00:00Z', ['logo']),
      ]);
      expect(db.queryCounter.count - before).toBe(1);
      expect(await interactions()).toEqual([
        { account_id: 'acme' },
        { account_id: 'logo' },
        { account_id: 'logo' },
      ]);

      // One page with a changed meeting and a new one: only the changed one is looked at for stale interactions,
      // and only its interactions may exist already (the new one's are inserted without the conflict check).
      const again = db.queryCounter.count;
      await meetings.saveCopies(member!.id, 1, [
        copy('qbr', '2026-11-02T00:00:00Z', ['logo']),
        copy('standup', '2026-11-02T00:00:00Z', ['acme']),
      ]);
      expect(db.queryCounter.count - again).toBe(3);
      expect(await interactions()).toEqual([
        { account_id: 'acme' },
        { account_id: 'logo' },
        { account_id: 'logo' },
      ]);
      const [qbr] = await dataSource.query<{ accounts: string[] }[]>(
        `SELECT array_agg(i.account_id ORDER BY i.account_id) AS accounts
         FROM interactions i JOIN meetings m ON m.id = i.meeting_id WHERE m.ical_uid = 'qbr@google.com'`,
      );
      expect(qbr!.accounts).toEqual(['logo']);
    });
    it("stores a calendar's older copy of a meeting that keeps another calendar's newer data", async () => {
      await accounts.upsertMany([anAccount('logo').build()]);
      const [ada, bob] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO members (email) VALUES ('ada@ourco.com'), ('bob@ourco.com') RETURNING id`,
      );
      const meetings = new TypeOrmMeetingRepository(dataSource.manager);
      const shared = (eventId: string, title: string, updated: string) =>
        aMatchedCopy({ eventId, iCalUID: 'shared@google.com', title, updated, accountIds: ['logo'] });
      await meetings.saveCopies(ada!.id, 1, [shared('ada-event', 'QBR', '2026-11-02T00:00:00Z')]);

      // The upsert keeps the newer data and returns nothing: the meeting is read back, then Bob's copy written.
      const before = db.queryCounter.count;
      await meetings.saveCopies(bob!.id, 1, [shared('bob-event', 'QBR (older)', '2026-11-01T00:00:00Z')]);
      expect(db.queryCounter.count - before).toBe(3);
      const copies = await dataSource.query<{ member: string; title: string }[]>(
        `SELECT mb.email AS member, m.title FROM calendar_events ce
         JOIN members mb ON mb.id = ce.member_id JOIN meetings m ON m.id = ce.meeting_id ORDER BY mb.email`,
      );
      expect(copies).toEqual([
        { member: 'ada@ourco.com', title: 'QBR' },
        { member: 'bob@ourco.com', title: 'QBR' },
      ]);

      // Ada's copy gone, the meeting stays with Bob's.
      await meetings.removeCopies(ada!.id, ['ada-event']);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM meetings')).toEqual([{ n: 1 }]);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM interactions')).toEqual([{ n: 1 }]);
    });
  });

  describe('health', () => {
    it('answers while the database is up', async () => {
      await expect(new TypeOrmDatabaseHealth(dataSource).check(2_000)).resolves.toBeUndefined();
    });
  });
});
