import type { EntityManager } from 'typeorm';

import type {
  MatchInputs,
  MatchLookupRepository,
} from '../../application/ports/match-lookup-repository.port';
import type { ContactLookup } from '../../domain/account-matcher';

type LookupRow =
  | { kind: 'member'; key: string; account_id: null; name: null; account_ids: null }
  | { kind: 'contact'; key: string; account_id: string; name: string | null; account_ids: null }
  | { kind: 'domain'; key: string; account_id: null; name: null; account_ids: string[] };

/** One statement per batch whatever its size: the members, every email's contact, every candidate domain. */
export class TypeOrmMatchLookupRepository implements MatchLookupRepository {
  constructor(private readonly db: EntityManager) {}

  async fetch(emails: readonly string[], domains: readonly string[]): Promise<MatchInputs> {
    const rows = await this.db.query<LookupRow[]>(
      `SELECT 'member' AS kind, email AS key, NULL AS account_id, NULL AS name, NULL::text[] AS account_ids
       FROM members
       UNION ALL
       SELECT 'contact', email, account_id, name, NULL FROM contacts WHERE email = ANY($1::text[])
       UNION ALL
       SELECT 'domain', domain, NULL, NULL, array_agg(account_id ORDER BY account_id)
       FROM account_domains WHERE domain = ANY($2::text[]) GROUP BY domain`,
      [emails, domains],
    );
    const memberEmails = new Set<string>();
    const contactsByEmail = new Map<string, ContactLookup>();
    const accountIdsByDomain = new Map<string, readonly string[]>();
    for (const row of rows) {
      if (row.kind === 'member') memberEmails.add(row.key);
      else if (row.kind === 'contact')
        contactsByEmail.set(row.key, { accountId: row.account_id, name: row.name });
      else accountIdsByDomain.set(row.key, row.account_ids);
    }
    return { memberEmails, lookups: { contactsByEmail, accountIdsByDomain } };
  }
}
