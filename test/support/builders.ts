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
