import { inject, injectable } from 'inversify';

import type { AccountMatcher, AttendeeMatch } from '../../domain/account-matcher';
import type { MatchLookupRepository } from '../ports/match-lookup-repository.port';
import { TOKENS } from '../ports/tokens';

export interface MatchAttendeesInput {
  emails: readonly string[];
  /** Normalised emails of our own members: never matched. */
  ownEmails: ReadonlySet<string>;
}

/** Matches a batch of attendee emails with one lookup for the whole batch. */
@injectable()
export class MatchAttendees {
  constructor(
    @inject(TOKENS.AccountMatcher) private readonly matcher: AccountMatcher,
    @inject(TOKENS.MatchLookupRepository) private readonly lookups: MatchLookupRepository,
  ) {}

  async execute({ emails, ownEmails }: MatchAttendeesInput): Promise<AttendeeMatch[]> {
    const keys = this.matcher.lookupKeys(emails);
    const lookups = await this.lookups.fetch(keys.emails, keys.domains);
    return emails.map((email) => this.matcher.match(email, ownEmails, lookups));
  }
}
