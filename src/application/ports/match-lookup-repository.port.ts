import type { MatchLookups } from '../../domain/account-matcher';

export interface MatchLookupRepository {
  /**
   * Fetches the contacts of these emails and the accounts of these domains, in a constant number of round trips
   * whatever the batch size.
   */
  fetch(emails: readonly string[], domains: readonly string[]): Promise<MatchLookups>;
}
