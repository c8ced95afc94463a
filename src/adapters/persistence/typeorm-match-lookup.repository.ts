import type { EntityManager } from 'typeorm';

import type { MatchLookupRepository } from '../../application/ports/match-lookup-repository.port';
import type { ContactLookup, MatchLookups } from '../../domain/account-matcher';

interface ContactRow {
  email: string;
  account_id: string;
  name: string | null;
}

interface DomainRow {
  domain: string;
  account_ids: string[];
}

/** Two statements per batch whatever its size: every email in one, every candidate domain in the other. */
export class TypeOrmMatchLookupRepository implements MatchLookupRepository {
  constructor(private readonly db: EntityManager) {}

  async fetch(emails: readonly string[], domains: readonly string[]): Promise<MatchLookups> {
    const [contacts, accountsByDomain] = await Promise.all([
      emails.length === 0
        ? []
        : this.db.query<ContactRow[]>(
            `SELECT email, account_id, name FROM contacts WHERE email = ANY($1::text[])`,
            [emails],
          ),
      domains.length === 0
        ? []
        : this.db.query<DomainRow[]>(
            `SELECT domain, array_agg(account_id ORDER BY account_id) AS account_ids
             FROM account_domains WHERE domain = ANY($1::text[]) GROUP BY domain`,
            [domains],
          ),
    ]);
    return {
      contactsByEmail: new Map<string, ContactLookup>(
        contacts.map((row) => [row.email, { accountId: row.account_id, name: row.name }]),
      ),
      accountIdsByDomain: new Map(accountsByDomain.map((row) => [row.domain, row.account_ids])),
    };
  }
}
