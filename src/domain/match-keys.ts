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
