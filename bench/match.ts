import { performance } from 'node:perf_hooks';

import { PublicListsDomainKnowledge } from '../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import { TypeOrmAccountRepository } from '../src/adapters/persistence/typeorm-account.repository';
import { TypeOrmContactRepository } from '../src/adapters/persistence/typeorm-contact.repository';
import { TypeOrmMatchLookupRepository } from '../src/adapters/persistence/typeorm-match-lookup.repository';
import { MatchAttendees } from '../src/application/use-cases/match-attendees.use-case';
import type { Account, Contact } from '../src/domain/account';
import { AccountMatcher } from '../src/domain/account-matcher';
import { Email, EmailDomain } from '../src/domain/email';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';

const ACCOUNTS = 20_000;
const CONTACTS = 100_000;
const ATTENDEES = 50_000;
const BATCH = 1_000;
const SEED_BATCH = 10_000;

/**
 * `npm run bench -- match`: 50,000 attendee emails matched against 100,000 contacts and 20,000 accounts through
 * the real repositories, in batches of 1,000 (a page of events), on each database available here.
 */
export async function run(): Promise<void> {
  const targets = databaseTargets();
  if (targets.length === 1) {
    process.stdout.write(
      '(set TEST_DATABASE_URL to a PostgreSQL database to measure the server side by side)\n',
    );
  }
  const rows: string[] = [];
  for (const target of targets) rows.push(await measure(target));
  process.stdout.write(
    [
      `\nmatch: ${ATTENDEES} attendees against ${CONTACTS} contacts / ${ACCOUNTS} accounts, batches of ${BATCH}`,
      '| database | seed (s) | per 1,000 attendees: mean | p50 | p95 | round trips per batch | matched (contact / domain / ambiguous / none) |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function measure(target: DatabaseTarget): Promise<string> {
  const db = await target.start();
  try {
    const seedStart = performance.now();
    const accounts = new TypeOrmAccountRepository(db.dataSource);
    const contacts = new TypeOrmContactRepository(db.dataSource);
    for (let i = 0; i < ACCOUNTS; i += SEED_BATCH) await accounts.upsertMany(accountBatch(i, SEED_BATCH));
    for (let i = 0; i < CONTACTS; i += SEED_BATCH) await contacts.upsertMany(contactBatch(i, SEED_BATCH));
    await db.dataSource.query('ANALYZE');
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const matchAttendees = new MatchAttendees(
      new AccountMatcher(new PublicListsDomainKnowledge(), [EmailDomain.parse('ourco.com')!]),
      new TypeOrmMatchLookupRepository(db.dataSource),
    );
    const ownEmails = new Set(['me@ourco.com']);
    const attendees = attendeeEmails();
    const durations: number[] = [];
    const roundTrips: number[] = [];
    const tally = { contact: 0, domain: 0, ambiguous_domain: 0, other: 0 };
    for (let i = 0; i < attendees.length; i += BATCH) {
      const batch = attendees.slice(i, i + BATCH);
      const queriesBefore = db.queryCounter.count;
      const started = performance.now();
      const matches = await matchAttendees.execute({ emails: batch, ownEmails });
      durations.push(performance.now() - started);
      roundTrips.push(db.queryCounter.count - queriesBefore);
      for (const match of matches) {
        if (match.reason === 'contact' || match.reason === 'domain' || match.reason === 'ambiguous_domain') {
          tally[match.reason]++;
        } else tally.other++;
      }
    }
    durations.sort((a, b) => a - b);
    const mean = durations.reduce((sum, d) => sum + d, 0) / durations.length;
    const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
    const trips = [...new Set(roundTrips)].join(', ');
    return `| ${target.name} | ${seedSeconds.toFixed(1)} | ${mean.toFixed(1)} ms | ${pct(0.5).toFixed(1)} ms | ${pct(0.95).toFixed(1)} ms | ${trips} | ${tally.contact} / ${tally.domain} / ${tally.ambiguous_domain} / ${tally.other} |`;
  } finally {
    await db.stop();
  }
}

/** Account i owns `acct{i}.com`; every 100th account also shares `shared{i/100}.com` with the next one. */
function accountBatch(from: number, size: number): Account[] {
  return Array.from({ length: Math.min(size, ACCOUNTS - from) }, (_, k) => {
    const i = from + k;
    const domains = [`acct${i}.com`];
    if (i % 100 === 0 || i % 100 === 1) domains.push(`shared${Math.floor(i / 100)}.com`);
    return { id: `account-${i}`, name: `Account ${i}`, domains: domains.map((d) => EmailDomain.parse(d)!) };
  });
}

function contactBatch(from: number, size: number): Contact[] {
  return Array.from({ length: Math.min(size, CONTACTS - from) }, (_, k) => {
    const j = from + k;
    return {
      email: Email.parse(`person${j}@acct${j % ACCOUNTS}.com`)!,
      name: `Person ${j}`,
      accountId: `account-${j % ACCOUNTS}`,
    };
  });
}

/** A realistic mix: known contacts, strangers at known domains and subdomains, shared domains, free mail, noise. */
function attendeeEmails(): string[] {
  return Array.from({ length: ATTENDEES }, (_, n) => {
    const i = (n * 7919) % ACCOUNTS;
    switch (n % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        return `person${(n * 31) % CONTACTS}@acct${((n * 31) % CONTACTS) % ACCOUNTS}.com`;
      case 4:
      case 5:
        return `stranger${n}@acct${i}.com`;
      case 6:
        return `stranger${n}@eu.acct${i}.com`;
      case 7:
        return `buyer${n}@shared${i % 200}.com`;
      case 8:
        return `someone${n}@gmail.com`;
      default:
        return n % 20 === 9 ? `colleague${n}@ourco.com` : `nobody${n}@unknown${n}.org`;
    }
  });
}
