import type { EntityManager } from 'typeorm';

import type {
  AccountDetails,
  AccountPage,
  AccountRepository,
  AccountSummary,
} from '../../application/ports/account-repository.port';
import type { Account } from '../../domain/account';

interface AccountRow {
  id: string;
  name: string;
  domains: string[];
}

/** Bulk statements over `unnest`ed arrays: a batch of 10,000 accounts costs the same few round trips as one. */
export class TypeOrmAccountRepository implements AccountRepository {
  constructor(private readonly db: EntityManager) {}

  async upsertMany(accounts: readonly Account[]): Promise<{ changedDomains: string[] }> {
    if (accounts.length === 0) return { changedDomains: [] };
    const ids = accounts.map((account) => account.id);
    const names = accounts.map((account) => account.name);
    const pairs = accounts.flatMap((account) => account.domains.map((domain) => [account.id, domain.value]));
    const domainAccountIds = pairs.map(([id]) => id);
    const domains = pairs.map(([, domain]) => domain);
    return this.db.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO accounts (id, name)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
         WHERE accounts.name IS DISTINCT FROM EXCLUDED.name`,
        [ids, names],
      );
      const [removed] = await manager.query<[{ domain: string }[], number]>(
        `DELETE FROM account_domains d
         WHERE d.account_id = ANY($1::text[])
           AND (d.account_id, d.domain) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))
         RETURNING d.domain`,
        [ids, domainAccountIds, domains],
      );
      const added = await manager.query<{ domain: string }[]>(
        `INSERT INTO account_domains (account_id, domain)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT DO NOTHING
         RETURNING domain`,
        [domainAccountIds, domains],
      );
      return { changedDomains: [...new Set([...removed, ...added].map((row) => row.domain))] };
    });
  }

  async delete(id: string): Promise<{ domains: string[]; contactEmails: string[] } | null> {
    // The CTEs read the rows as they were before the delete (and its cascades).
    const rows = await this.db.query<{ deleted: number; domains: string[]; emails: string[] }[]>(
      `WITH removed AS (DELETE FROM accounts WHERE id = $1 RETURNING id)
       SELECT (SELECT count(*) FROM removed)::int AS deleted,
              ARRAY(SELECT domain FROM account_domains WHERE account_id = $1) AS domains,
              ARRAY(SELECT email FROM contacts WHERE account_id = $1) AS emails`,
      [id],
    );
    const row = rows[0]!;
    return row.deleted === 0 ? null : { domains: row.domains, contactEmails: row.emails };
  }

  async get(id: string): Promise<AccountDetails | null> {
    const rows = await this.db.query<(AccountRow & { contactCount: number })[]>(
      `SELECT a.id, a.name,
              ARRAY(SELECT d.domain FROM account_domains d WHERE d.account_id = a.id ORDER BY d.domain) AS domains,
              (SELECT count(*) FROM contacts c WHERE c.account_id = a.id)::int AS "contactCount"
       FROM accounts a WHERE a.id = $1`,
      [id],
    );
    const row = rows[0];
    return row === undefined ? null : { ...toSummary(row), contactCount: row.contactCount };
  }

  async list(limit: number, afterId: string | null): Promise<AccountPage> {
    const rows = await this.db.query<AccountRow[]>(
      `SELECT a.id, a.name,
              ARRAY(SELECT d.domain FROM account_domains d WHERE d.account_id = a.id ORDER BY d.domain) AS domains
       FROM accounts a
       WHERE $1::text IS NULL OR a.id > $1::text
       ORDER BY a.id
       LIMIT $2`,
      [afterId, limit + 1],
    );
    const page = rows.slice(0, limit).map(toSummary);
    return { accounts: page, nextAfterId: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async getMany(ids: readonly string[]): Promise<AccountSummary[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<AccountRow[]>(
      `SELECT a.id, a.name,
              ARRAY(SELECT d.domain FROM account_domains d WHERE d.account_id = a.id ORDER BY d.domain) AS domains
       FROM accounts a
       WHERE a.id = ANY($1::text[])`,
      [ids],
    );
    return rows.map(toSummary);
  }
}

function toSummary(row: AccountRow): AccountSummary {
  return { id: row.id, name: row.name, domains: row.domains };
}
