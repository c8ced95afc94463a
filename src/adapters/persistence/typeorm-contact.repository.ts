import type { EntityManager } from 'typeorm';

import type { ContactRepository, StoredContact } from '../../application/ports/contact-repository.port';
import type { Contact } from '../../domain/account';

export class TypeOrmContactRepository implements ContactRepository {
  constructor(private readonly db: EntityManager) {}

  async upsertMany(
    contacts: readonly Contact[],
  ): Promise<{ unknownAccountIds: string[]; changedEmails: string[] }> {
    if (contacts.length === 0) return { unknownAccountIds: [], changedEmails: [] };
    const accountIds = [...new Set(contacts.map((contact) => contact.accountId))];
    return this.db.transaction(async (manager) => {
      // FOR KEY SHARE keeps the accounts from being deleted between this check and the insert.
      const existing = await manager.query<{ id: string }[]>(
        `SELECT id FROM accounts WHERE id = ANY($1::text[]) FOR KEY SHARE`,
        [accountIds],
      );
      const known = new Set(existing.map((row) => row.id));
      const unknownAccountIds = accountIds.filter((id) => !known.has(id));
      if (unknownAccountIds.length > 0) return { unknownAccountIds, changedEmails: [] };

      // A contact sent without a name keeps the stored one; an explicit null clears it.
      const named = contacts.filter((contact) => contact.name !== undefined);
      const unnamed = contacts.filter((contact) => contact.name === undefined);
      const changed: { email: string }[] = [];
      if (named.length > 0) {
        changed.push(
          ...(await manager.query<{ email: string }[]>(
            `INSERT INTO contacts (email, name, account_id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
             ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, account_id = EXCLUDED.account_id, updated_at = now()
             WHERE (contacts.name, contacts.account_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.account_id)
             RETURNING email`,
            [
              named.map((c) => c.email.value),
              named.map((c) => c.name ?? null),
              named.map((c) => c.accountId),
            ],
          )),
        );
      }
      if (unnamed.length > 0) {
        changed.push(
          ...(await manager.query<{ email: string }[]>(
            `INSERT INTO contacts (email, account_id)
             SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (email) DO UPDATE SET account_id = EXCLUDED.account_id, updated_at = now()
             WHERE contacts.account_id IS DISTINCT FROM EXCLUDED.account_id
             RETURNING email`,
            [unnamed.map((c) => c.email.value), unnamed.map((c) => c.accountId)],
          )),
        );
      }
      return { unknownAccountIds: [], changedEmails: changed.map((row) => row.email) };
    });
  }

  async delete(email: string): Promise<boolean> {
    const [, affected] = await this.db.query<[unknown, number]>(`DELETE FROM contacts WHERE email = $1`, [
      email,
    ]);
    return affected > 0;
  }

  async getMany(emails: readonly string[]): Promise<StoredContact[]> {
    if (emails.length === 0) return [];
    return this.db.query<StoredContact[]>(
      `SELECT email, name, account_id AS "accountId" FROM contacts WHERE email = ANY($1::text[])`,
      [emails],
    );
  }
}
