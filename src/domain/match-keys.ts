import type { LookupKeys } from './account-matcher';

/**
 * Keys linking stored meetings to the account data that decides their matches: `e:<email>` for a contact,
 * `d:<domain>` for a domain. A change to a contact or a domain re-matches exactly the meetings holding its key.
 */
export function toMatchKeys(keys: Partial<LookupKeys>): string[] {
  return [
    ...(keys.emails ?? []).map((email) => `e:${email}`),
    ...(keys.domains ?? []).map((domain) => `d:${domain}`),
  ];
}

/** The keys of a batch of attendee lists (one per meeting), each once: what the batch's lookup must fetch. */
export function batchKeys(perMeeting: Iterable<LookupKeys>): LookupKeys {
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const keys of perMeeting) {
    for (const email of keys.emails) emails.add(email);
    for (const domain of keys.domains) domains.add(domain);
  }
  return { emails: [...emails], domains: [...domains] };
}
