import type { DataSource } from 'typeorm';

import { TypeOrmAccountRepository } from '../src/adapters/persistence/typeorm-account.repository';
import { TypeOrmContactRepository } from '../src/adapters/persistence/typeorm-contact.repository';
import type { Account, Contact } from '../src/domain/account';
import { Email, EmailDomain } from '../src/domain/email';

export const ACCOUNTS = 20_000;
export const CONTACTS = 100_000;
const SEED_BATCH = 10_000;

/** 20,000 accounts and 100,000 contacts through the real repositories; returns the seconds it took. */
export async function seedAccountsAndContacts(dataSource: DataSource): Promise<number> {
  const started = performance.now();
  const accounts = new TypeOrmAccountRepository(dataSource.manager);
  const contacts = new TypeOrmContactRepository(dataSource.manager);
  for (let i = 0; i < ACCOUNTS; i += SEED_BATCH) await accounts.upsertMany(accountBatch(i, SEED_BATCH));
  for (let i = 0; i < CONTACTS; i += SEED_BATCH) await contacts.upsertMany(contactBatch(i, SEED_BATCH));
  await dataSource.query('ANALYZE');
  return (performance.now() - started) / 1000;
}

/** Account i owns `acct{i}.com`; accounts 100k and 100k+1 also share `shared{k}.com` (ambiguous domains). */
export function accountRows(from: number, size: number, total = ACCOUNTS) {
  return Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, k) => {
    const i = from + k;
    const domains = [`acct${i}.com`];
    if (i % 100 === 0 || i % 100 === 1) domains.push(`shared${Math.floor(i / 100)}.com`);
    return { id: `account-${i}`, name: `Account ${i}`, domains };
  });
}

/** Contact j is `person{j}` at account j mod `accounts`. */
export function contactRows(from: number, size: number, total = CONTACTS, accounts = ACCOUNTS) {
  return Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, k) => {
    const j = from + k;
    return {
      email: `person${j}@acct${j % accounts}.com`,
      name: `Person ${j}`,
      accountId: `account-${j % accounts}`,
    };
  });
}

function accountBatch(from: number, size: number): Account[] {
  return accountRows(from, size).map((row) => ({
    ...row,
    domains: row.domains.map((d) => EmailDomain.parse(d)!),
  }));
}

function contactBatch(from: number, size: number): Contact[] {
  return contactRows(from, size).map((row) => ({ ...row, email: Email.parse(row.email)! }));
}

/**
 * The n-th attendee email of a realistic mix: 40% known contacts, 30% strangers at an account's domain or a
 * subdomain of it, 10% at an ambiguous domain, 10% free mail, 10% internal or unknown.
 */
export function attendeeEmail(n: number, accounts = ACCOUNTS, contacts = CONTACTS): string {
  const i = (n * 7919) % accounts;
  switch (n % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return `person${(n * 31) % contacts}@acct${((n * 31) % contacts) % accounts}.com`;
    case 4:
    case 5:
      return `stranger${n}@acct${i}.com`;
    case 6:
      return `stranger${n}@eu.acct${i}.com`;
    case 7:
      return `buyer${n}@shared${i % (accounts / 100)}.com`;
    case 8:
      return `someone${n}@gmail.com`;
    default:
      return n % 20 === 9 ? `colleague${n}@ourco.com` : `nobody${n}@unknown${n}.org`;
  }
}
