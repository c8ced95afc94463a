import type { Contact } from '../../domain/account';

export interface ContactRepository {
  /**
   * Inserts or updates every contact in one transaction. When some `accountId`s do not exist, nothing is written
   * and those ids are returned; otherwise the result is empty.
   */
  upsertMany(contacts: readonly Contact[]): Promise<{ unknownAccountIds: string[] }>;
  /** False when there was no such contact. */
  delete(email: string): Promise<boolean>;
}
