import type { Contact } from '../../domain/account';

export interface StoredContact {
  email: string;
  name: string | null;
  accountId: string;
}

export interface ContactRepository {
  /**
   * Inserts or updates every contact in one transaction. When some `accountId`s do not exist, nothing is written
   * and those ids are returned. Otherwise returns the emails whose account or name changed.
   */
  upsertMany(contacts: readonly Contact[]): Promise<{ unknownAccountIds: string[]; changedEmails: string[] }>;
  /** False when there was no such contact. */
  delete(email: string): Promise<boolean>;
  /** The contacts among `emails` (normalized addresses) that exist, in no particular order. */
  getMany(emails: readonly string[]): Promise<StoredContact[]>;
}
