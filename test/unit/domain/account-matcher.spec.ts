import { PublicListsDomainKnowledge } from '../../../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import { AccountMatcher, type MatchLookups, type MatchReason } from '../../../src/domain/account-matcher';
import { batchKeys } from '../../../src/domain/match-keys';
import { domain } from '../../support/builders';

/**
 * The accounts and contacts every case below sees. Each case would fail if the rule it names broke:
 * the data is chosen so that a skipped or reordered rule gives a different answer.
 */
const lookups: MatchLookups = {
  contactsByEmail: new Map([
    // A contact whose domain belongs to another account: the direct match must win over the domain.
    ['tess@logo.com', { accountId: 'initech', name: 'Tess Ter' }],
    // A contact on a domain two accounts share: the direct match must win over the ambiguity.
    ['pat@shared.com', { accountId: 'globex', name: null }],
    // A contact on a free-mail domain: direct matches still count there.
    ['vip@gmail.com', { accountId: 'logo', name: 'V. I. P.' }],
    // Contacts that must never match: our own member and an internal colleague.
    ['me@logo.com', { accountId: 'logo', name: 'Me' }],
    ['cara@ourco.com', { accountId: 'logo', name: 'Cara' }],
  ]),
  accountIdsByDomain: new Map<string, readonly string[]>([
    ['logo.com', ['logo']],
    ['emea.logo.com', ['logo-emea']],
    ['dup.logo.com', ['dup-a', 'dup-b']],
    ['shared.com', ['globex', 'initech']],
    ['gmail.com', ['logo']],
    ['ourco.com', ['logo']],
    ['herokuapp.com', ['heroku']],
    ['logo.co.uk', ['logo-uk']],
  ]),
};

const matcher = new AccountMatcher(new PublicListsDomainKnowledge(), [domain('ourco.com')]);
const ownEmails = new Set(['me@logo.com']);

interface Case {
  rule: string;
  email: string;
  accountId: string | null;
  matchedBy: 'contact' | 'domain' | null;
  reason: MatchReason;
  candidates?: string[];
}

const cases: Case[] = [
  {
    rule: '1 direct match beats the domain',
    email: 'tess@logo.com',
    accountId: 'initech',
    matchedBy: 'contact',
    reason: 'contact',
  },
  {
    rule: '1 direct match is case-insensitive',
    email: ' Tess@LOGO.com ',
    accountId: 'initech',
    matchedBy: 'contact',
    reason: 'contact',
  },
  {
    rule: '1 direct match beats an ambiguous domain',
    email: 'pat@shared.com',
    accountId: 'globex',
    matchedBy: 'contact',
    reason: 'contact',
  },
  {
    rule: '1 direct match counts on free mail',
    email: 'VIP@gmail.com',
    accountId: 'logo',
    matchedBy: 'contact',
    reason: 'contact',
  },
  {
    rule: '2 single-account domain',
    email: 'anyone@logo.com',
    accountId: 'logo',
    matchedBy: 'domain',
    reason: 'domain',
  },
  {
    rule: '2 registrable domain when no account lists the exact one',
    email: 'x@eu.logo.com',
    accountId: 'logo',
    matchedBy: 'domain',
    reason: 'domain',
  },
  {
    rule: '2 registrable domain from a deep subdomain',
    email: 'x@a.b.logo.com',
    accountId: 'logo',
    matchedBy: 'domain',
    reason: 'domain',
  },
  {
    rule: '2 the exact domain before the registrable one',
    email: 'x@emea.logo.com',
    accountId: 'logo-emea',
    matchedBy: 'domain',
    reason: 'domain',
  },
  {
    rule: '2 multi-label public suffixes',
    email: 'x@sales.logo.co.uk',
    accountId: 'logo-uk',
    matchedBy: 'domain',
    reason: 'domain',
  },
  {
    rule: '2 private suffixes are not registrable domains',
    email: 'x@acme.herokuapp.com',
    accountId: null,
    matchedBy: null,
    reason: 'no_match',
  },
  {
    rule: '3 ambiguous domain gives none',
    email: 'x@shared.com',
    accountId: null,
    matchedBy: null,
    reason: 'ambiguous_domain',
    candidates: ['globex', 'initech'],
  },
  {
    rule: '3 ambiguous registrable domain gives none',
    email: 'x@eu.shared.com',
    accountId: null,
    matchedBy: null,
    reason: 'ambiguous_domain',
    candidates: ['globex', 'initech'],
  },
  {
    rule: '3 an ambiguous exact domain does not fall back',
    email: 'x@dup.logo.com',
    accountId: null,
    matchedBy: null,
    reason: 'ambiguous_domain',
    candidates: ['dup-a', 'dup-b'],
  },
  {
    rule: 'never the member, even as a contact',
    email: 'Me@Logo.com',
    accountId: null,
    matchedBy: null,
    reason: 'member',
  },
  {
    rule: 'never an internal domain, even as a contact',
    email: 'cara@ourco.com',
    accountId: null,
    matchedBy: null,
    reason: 'internal',
  },
  {
    rule: 'never a subdomain of an internal domain',
    email: 'x@eng.ourco.com',
    accountId: null,
    matchedBy: null,
    reason: 'internal',
  },
  {
    rule: 'internal means the domain, not a suffix of the text',
    email: 'x@notourco.com',
    accountId: null,
    matchedBy: null,
    reason: 'no_match',
  },
  {
    rule: 'never a resource calendar',
    email: 'c_1889@resource.calendar.google.com',
    accountId: null,
    matchedBy: null,
    reason: 'resource',
  },
  {
    rule: 'free mail never gives a domain match',
    email: 'someone@gmail.com',
    accountId: null,
    matchedBy: null,
    reason: 'free_mail',
  },
  {
    rule: 'free mail subdomains neither',
    email: 'someone@mail.yahoo.co.uk',
    accountId: null,
    matchedBy: null,
    reason: 'free_mail',
  },
  {
    rule: 'no account for the domain',
    email: 'x@unknown.org',
    accountId: null,
    matchedBy: null,
    reason: 'no_match',
  },
  {
    rule: 'an unusable address',
    email: 'not an email',
    accountId: null,
    matchedBy: null,
    reason: 'invalid_email',
  },
];

describe('AccountMatcher: CONTRACT.md matching rules', () => {
  it.each(cases)('$rule ($email)', ({ email, accountId, matchedBy, reason, candidates }) => {
    const match = matcher.match(email, ownEmails, lookups);
    expect(match).toMatchObject({ accountId, matchedBy, reason, candidateAccountIds: candidates ?? [] });
  });

  it('normalises the email it reports', () => {
    expect(matcher.match('  Anyone@LOGO.com', ownEmails, lookups).email).toBe('anyone@logo.com');
  });

  it("gives the contact's name for attendees without a display name", () => {
    expect(matcher.match('tess@logo.com', ownEmails, lookups).contactName).toBe('Tess Ter');
  });

  it('names the domain that decided a domain match or an ambiguity', () => {
    expect(matcher.match('x@eu.logo.com', ownEmails, lookups).decidingDomain).toBe('logo.com');
    expect(matcher.match('x@dup.logo.com', ownEmails, lookups).decidingDomain).toBe('dup.logo.com');
  });
});

describe('AccountMatcher.lookupKeys', () => {
  it('asks for each email once and for the exact and registrable domains', () => {
    const keys = matcher.lookupKeys(['a@eu.logo.com', 'A@EU.logo.com', 'b@logo.com', 'c@sales.logo.co.uk']);
    expect(keys.emails.sort()).toEqual(['a@eu.logo.com', 'b@logo.com', 'c@sales.logo.co.uk']);
    expect(keys.domains.sort()).toEqual(['eu.logo.com', 'logo.co.uk', 'logo.com', 'sales.logo.co.uk']);
  });

  it('asks no domain for free mail but still the email, for a direct match', () => {
    expect(matcher.lookupKeys(['vip@gmail.com'])).toEqual({ emails: ['vip@gmail.com'], domains: [] });
  });

  it('skips what can never match', () => {
    expect(matcher.lookupKeys(['cara@ourco.com', 'r@resource.calendar.google.com', 'junk'])).toEqual({
      emails: [],
      domains: [],
    });
  });
});

describe('batchKeys', () => {
  it("looks each meeting's emails and domains up once for the whole batch", () => {
    expect(
      batchKeys([
        { emails: ['tess@logo.com', 'wile@acme.com'], domains: ['logo.com', 'acme.com'] },
        { emails: ['tess@logo.com'], domains: ['logo.com', 'eu.logo.com'] },
        { emails: [], domains: [] },
      ]),
    ).toEqual({
      emails: ['tess@logo.com', 'wile@acme.com'],
      domains: ['logo.com', 'acme.com', 'eu.logo.com'],
    });
  });
});
