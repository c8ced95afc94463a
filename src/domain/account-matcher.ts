import { Email, EmailDomain } from './email';

/**
 * Facts about domains that come from maintained public lists (the Public Suffix List, free-mail providers).
 * The matcher is given them so that it stays pure and the lists can be updated without touching the rules.
 */
export interface DomainKnowledge {
  /** The registrable domain (`eu.logo.com` -> `logo.com`), or null when there is none (a bare public suffix). */
  registrableDomain(domain: string): string | null;
  /** True for mailbox providers anyone can sign up with (gmail.com, outlook.com, ...). */
  isFreeMail(domain: string): boolean;
}

export interface ContactLookup {
  accountId: string;
  name: string | null;
}

/** Everything the matcher needs for a batch of attendees, fetched beforehand in a constant number of queries. */
export interface MatchLookups {
  /** Keyed by normalised email. */
  contactsByEmail: ReadonlyMap<string, ContactLookup>;
  /** Keyed by domain; the ids of every account listing that domain, sorted. */
  accountIdsByDomain: ReadonlyMap<string, readonly string[]>;
}

export type MatchedBy = 'contact' | 'domain';

export type MatchReason =
  | 'contact'
  | 'domain'
  | 'ambiguous_domain'
  | 'no_match'
  | 'free_mail'
  | 'member'
  | 'internal'
  | 'resource'
  | 'invalid_email';

export interface AttendeeMatch {
  /** The normalised email, or the raw text when it is not a usable address. */
  email: string;
  accountId: string | null;
  matchedBy: MatchedBy | null;
  reason: MatchReason;
  /** With `ambiguous_domain`: every account that lists the domain. Empty otherwise. */
  candidateAccountIds: readonly string[];
  /** The domain that decided a domain match or an ambiguity. */
  decidingDomain: string | null;
  /** The matched contact's name, for attendees without a display name. */
  contactName: string | null;
}

const RESOURCE_CALENDAR_DOMAIN = EmailDomain.parse('resource.calendar.google.com')!;

/** What a batch of attendees needs looked up: normalised emails and every domain the rules may try. */
export interface LookupKeys {
  emails: string[];
  domains: string[];
}

/**
 * CONTRACT.md "Matching rules", in order: never the member's own email, internal domains or resource calendars;
 * then a direct contact match; then a domain match when exactly one account lists the domain (the exact domain,
 * or, when no account lists it, its registrable domain); two or more accounts make the domain ambiguous;
 * free-mail domains never give a domain match.
 */
export class AccountMatcher {
  constructor(
    private readonly knowledge: DomainKnowledge,
    private readonly internalDomains: readonly EmailDomain[],
  ) {}

  /** The keys to fetch for these raw attendee emails; the lookups need nothing else. */
  lookupKeys(rawEmails: Iterable<string>): LookupKeys {
    const emails = new Set<string>();
    const domains = new Set<string>();
    for (const raw of rawEmails) {
      const email = Email.parse(raw);
      if (email === null || this.isNeverMatched(email)) continue;
      emails.add(email.value);
      for (const domain of this.domainCandidates(email.domain)) domains.add(domain);
    }
    return { emails: [...emails], domains: [...domains] };
  }

  /** Matches one attendee. `ownEmails` are the member emails that must never match (normalised). */
  match(rawEmail: string, ownEmails: ReadonlySet<string>, lookups: MatchLookups): AttendeeMatch {
    const email = Email.parse(rawEmail);
    if (email === null) return unmatched(rawEmail.trim(), 'invalid_email');
    if (email.domain.isWithin(RESOURCE_CALENDAR_DOMAIN)) return unmatched(email.value, 'resource');
    if (ownEmails.has(email.value)) return unmatched(email.value, 'member');
    if (this.isInternal(email.domain)) return unmatched(email.value, 'internal');

    const contact = lookups.contactsByEmail.get(email.value);
    if (contact !== undefined) {
      return {
        email: email.value,
        accountId: contact.accountId,
        matchedBy: 'contact',
        reason: 'contact',
        candidateAccountIds: [],
        decidingDomain: null,
        contactName: contact.name,
      };
    }

    const candidates = this.domainCandidates(email.domain);
    if (candidates.length === 0) return unmatched(email.value, 'free_mail');
    for (const domain of candidates) {
      const accountIds = lookups.accountIdsByDomain.get(domain) ?? [];
      if (accountIds.length === 0) continue;
      if (accountIds.length === 1) {
        return {
          email: email.value,
          accountId: accountIds[0]!,
          matchedBy: 'domain',
          reason: 'domain',
          candidateAccountIds: [],
          decidingDomain: domain,
          contactName: null,
        };
      }
      return {
        ...unmatched(email.value, 'ambiguous_domain'),
        candidateAccountIds: [...accountIds],
        decidingDomain: domain,
      };
    }
    return unmatched(email.value, 'no_match');
  }

  private isNeverMatched(email: Email): boolean {
    return email.domain.isWithin(RESOURCE_CALENDAR_DOMAIN) || this.isInternal(email.domain);
  }

  private isInternal(domain: EmailDomain): boolean {
    return this.internalDomains.some((internal) => domain.isWithin(internal));
  }

  /** The exact domain, then its registrable domain; none at all for free-mail domains. */
  private domainCandidates(domain: EmailDomain): string[] {
    const registrable = this.knowledge.registrableDomain(domain.value);
    if (
      this.knowledge.isFreeMail(domain.value) ||
      (registrable !== null && this.knowledge.isFreeMail(registrable))
    ) {
      return [];
    }
    return registrable === null || registrable === domain.value
      ? [domain.value]
      : [domain.value, registrable];
  }
}

function unmatched(email: string, reason: MatchReason): AttendeeMatch {
  return {
    email,
    accountId: null,
    matchedBy: null,
    reason,
    candidateAccountIds: [],
    decidingDomain: null,
    contactName: null,
  };
}
