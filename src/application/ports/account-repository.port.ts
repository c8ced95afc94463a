import type { Account } from '../../domain/account';

export interface AccountSummary {
  id: string;
  name: string;
  domains: string[];
}

export interface AccountDetails extends AccountSummary {
  contactCount: number;
}

export interface AccountPage {
  accounts: AccountSummary[];
  /** The id after which the next page starts, or null on the last page. */
  nextAfterId: string | null;
}

export interface AccountRepository {
  /**
   * Inserts or replaces every account (name and the whole domain list) in one transaction; returns the domains
   * that were added to or removed from some account (the ones whose matches can change).
   */
  upsertMany(accounts: readonly Account[]): Promise<{ changedDomains: string[] }>;
  /** Deletes the account and its contacts; returns what they held, or null when there was no such account. */
  delete(id: string): Promise<{ domains: string[]; contactEmails: string[] } | null>;
  get(id: string): Promise<AccountDetails | null>;
  /** Accounts ordered by id, starting after `afterId`. */
  list(limit: number, afterId: string | null): Promise<AccountPage>;
  /** The accounts among `ids` that exist, in no particular order. */
  getMany(ids: readonly string[]): Promise<AccountSummary[]>;
}
