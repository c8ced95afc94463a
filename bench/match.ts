import { performance } from 'node:perf_hooks';

import { PublicListsDomainKnowledge } from '../src/adapters/domain-knowledge/public-lists-domain-knowledge';
import { TypeOrmMatchLookupRepository } from '../src/adapters/persistence/typeorm-match-lookup.repository';
import { AccountMatcher } from '../src/domain/account-matcher';
import { EmailDomain } from '../src/domain/email';
import { databaseTargets, type DatabaseTarget } from '../test/support/databases';
import { ACCOUNTS, attendeeEmail, CONTACTS, seedAccountsAndContacts } from './fixtures';

const ATTENDEES = 50_000;
const BATCH = 1_000;
/** Team members, whose emails every lookup reads too (they are never matched to an account). */
const MEMBERS = 500;

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
      `\nmatch: ${ATTENDEES} attendees against ${CONTACTS} contacts / ${ACCOUNTS} accounts / ${MEMBERS} members, batches of ${BATCH}`,
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
    const seedSeconds = await seedAccountsAndContacts(db.dataSource);
    await db.dataSource.query(
      `INSERT INTO members (email) SELECT 'member' || n || '@ourco.com' FROM generate_series(1, $1::int) AS n`,
      [MEMBERS],
    );

    const matcher = new AccountMatcher(new PublicListsDomainKnowledge(), [EmailDomain.parse('ourco.com')!]);
    // As a sync matches a page: in a transaction (its one connection), the batch's keys fetched in one lookup,
    // then every attendee matched.
    const matchBatch = (emails: string[]) =>
      db.dataSource.transaction(async (manager) => {
        const keys = matcher.lookupKeys(emails);
        const { memberEmails, lookups } = await new TypeOrmMatchLookupRepository(manager).fetch(
          keys.emails,
          keys.domains,
        );
        return emails.map((email) => matcher.match(email, memberEmails, lookups));
      });
    const attendees = Array.from({ length: ATTENDEES }, (_, n) => attendeeEmail(n));
    const durations: number[] = [];
    const roundTrips: number[] = [];
    const tally = { contact: 0, domain: 0, ambiguous_domain: 0, other: 0 };
    for (let i = 0; i < attendees.length; i += BATCH) {
      const batch = attendees.slice(i, i + BATCH);
      const queriesBefore = db.queryCounter.count;
      const started = performance.now();
      const matches = await matchBatch(batch);
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
