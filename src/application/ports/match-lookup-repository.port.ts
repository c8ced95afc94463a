import type { MatchLookups } from '../../domain/account-matcher';

/** What matching a batch of attendees reads from the database. */
export interface MatchInputs {
  /** Every member's email, normalised: never matched to an account. */
  memberEmails: ReadonlySet<string>;
  lookups: MatchLookups;
}

export interface MatchLookupRepository {
  /**
   * The members' emails, the contacts of these emails and the accounts of these domains, in one round trip
   * whatever the batch size (it runs inside a sync's or a re-match's transaction, where every round trip holds
   * the others up).
   */
  fetch(emails: readonly string[], domains: readonly string[]): Promise<MatchInputs>;
}
