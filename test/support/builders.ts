import type { MatchedCopy } from '../../src/application/ports/meeting-repository.port';
import type { Account, Contact } from '../../src/domain/account';
import { Email, EmailDomain } from '../../src/domain/email';

export function domain(value: string): EmailDomain {
  const parsed = EmailDomain.parse(value);
  if (parsed === null) throw new Error(`test data: "${value}" is not a domain`);
  return parsed;
}

export function email(value: string): Email {
  const parsed = Email.parse(value);
  if (parsed === null) throw new Error(`test data: "${value}" is not an email`);
  return parsed;
}

class AccountBuilder {
  private name: string;
  private readonly domains: EmailDomain[] = [];

  constructor(private readonly id: string) {
    this.name = `Account ${id}`;
  }

  named(name: string): this {
    this.name = name;
    return this;
  }

  withDomain(...values: string[]): this {
    this.domains.push(...values.map(domain));
    return this;
  }

  build(): Account {
    return { id: this.id, name: this.name, domains: [...this.domains] };
  }
}

export const anAccount = (id: string) => new AccountBuilder(id);

export function aContact(address: string, accountId: string, name?: string | null): Contact {
  return { email: email(address), accountId, ...(name === undefined ? {} : { name }) };
}

/** A calendar's copy of a meeting whose attendees, `tess@<account>.com` each, match their accounts by domain. */
export function aMatchedCopy(copy: {
  eventId: string;
  iCalUID: string;
  updated: string;
  accountIds: string[];
  title?: string;
}): MatchedCopy {
  const emails = copy.accountIds.map((id) => [id, `tess@${id}.com`] as const);
  return {
    eventId: copy.eventId,
    seriesId: null,
    meeting: {
      key: { iCalUID: copy.iCalUID, originalStart: '' },
      title: copy.title ?? 'QBR',
      private: false,
      startTime: new Date('2026-11-20T15:00:00Z'),
      durationMinutes: 30,
      date: '2026-11-20',
      attendees: emails.map(([, address]) => ({
        email: address,
        displayName: null,
        responseStatus: 'accepted',
        resource: false,
      })),
      attendeesComplete: true,
      sourceUpdated: new Date(copy.updated),
    },
    matched: {
      participants: emails.map(([accountId, address]) => ({
        name: null,
        email: address,
        responseStatus: 'accepted',
        accountId,
        matchedBy: 'domain',
      })),
      interactions: copy.accountIds.map((accountId) => ({ accountId, matchedBy: 'domain' })),
      unmatched: null,
    },
    matchKeys: copy.accountIds.map((id) => `d:${id}.com`),
  };
}
