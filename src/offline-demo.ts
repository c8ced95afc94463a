import type { Container } from 'inversify';

import type { GoogleSandbox } from '../sandbox/google-sandbox';
import type { AccountRepository } from './application/ports/account-repository.port';
import type { ChannelRepository } from './application/ports/channel-repository.port';
import type { MemberRepository } from './application/ports/member-repository.port';
import type { SyncScheduler } from './application/ports/sync-scheduler.port';
import type { Logger } from './application/ports/logger.port';
import { MemberSessions } from './application/member-sessions';
import { TOKENS } from './application/ports/tokens';
import { UpsertAccounts } from './application/use-cases/upsert-accounts.use-case';
import { UpsertContacts } from './application/use-cases/upsert-contacts.use-case';
import { OFFLINE_DEMO_DOMAIN } from './config';
import { Email, EmailDomain } from './domain/email';

/**
 * Alex is the Workspace's admin: the offline start reads the directory as Alex to enrol the team. Jo never signs
 * in: an admin enrols Jo through the delegation (POST /api/members, or "Enrol team" on /admin). The team's
 * domain is internal in the demo (config.ts), so colleagues never show as unknown customers.
 */
export const DEMO_MEMBERS = [
  { email: `alex@${OFFLINE_DEMO_DOMAIN}`, name: 'Alex Morgan', timeZone: 'Europe/Paris', isAdmin: true },
  { email: `sam@${OFFLINE_DEMO_DOMAIN}`, name: 'Sam Lee', timeZone: 'America/New_York' },
  { email: `jo@${OFFLINE_DEMO_DOMAIN}`, name: 'Jo Park', timeZone: 'Europe/London' },
];
export const DEMO_WORKSPACE_ADMIN = `alex@${OFFLINE_DEMO_DOMAIN}`;

const ACCOUNTS = [
  { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
  { id: 'acme', name: 'Acme Corp', domains: ['acme.io'] },
  { id: 'globex', name: 'Globex', domains: ['holdings.example'] },
  { id: 'initech', name: 'Initech', domains: ['holdings.example', 'initech.example'] },
];

const CONTACTS = [
  { email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' },
  { email: 'wile@acme.io', name: 'Wile E.', accountId: 'acme' },
];

/**
 * Offline `npm start`: sandbox members with a realistic week of meetings, and (on an empty database) the accounts
 * and contacts they meet, so that a newcomer who signs in sees interactions appear at once.
 */
export async function seedOfflineDemo(
  sandbox: GoogleSandbox,
  container: Container,
  logger: Logger,
): Promise<void> {
  const [alex, sam, jo] = DEMO_MEMBERS;
  for (const member of DEMO_MEMBERS) sandbox.addUser(member);
  const day = (offset: number, hour: number, minute = 0) => {
    const date = new Date();
    date.setUTCDate(date.getUTCDate() + offset);
    date.setUTCHours(hour, minute, 0, 0);
    return date.toISOString();
  };
  const timed = (offset: number, hour: number, minutes: number) => ({
    start: { dateTime: day(offset, hour), timeZone: 'UTC' },
    end: {
      dateTime: new Date(Date.parse(day(offset, hour)) + minutes * 60_000).toISOString(),
      timeZone: 'UTC',
    },
  });
  const guest = (email: string, displayName?: string) => ({
    email,
    responseStatus: 'accepted' as const,
    ...(displayName ? { displayName } : {}),
  });
  const self = (member: { email: string; name: string }) => ({
    ...guest(member.email, member.name),
    self: true,
  });

  sandbox.insertEvent(alex!.email, {
    summary: 'Logo QBR',
    ...timed(-2, 15, 30),
    attendees: [self(alex!), guest('tess@logo.com', 'Tess Ter'), guest('ann@logo.com')],
  });
  sandbox.insertEvent(alex!.email, {
    summary: 'Acme weekly check-in',
    ...timed(-14, 9, 30),
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    attendees: [self(alex!), guest('wile@acme.io')],
  });
  sandbox.insertSharedEvent([alex!.email, sam!.email], {
    summary: 'Joint renewal call: Logo and Acme',
    ...timed(1, 16, 45),
    attendees: [
      self(alex!),
      guest(sam!.email, sam!.name),
      guest('tess@logo.com'),
      guest('road.runner@acme.io'),
    ],
  });
  sandbox.insertEvent(sam!.email, {
    summary: 'Holdings intro (ambiguous domain)',
    ...timed(-1, 14, 30),
    attendees: [self(sam!), guest('cfo@holdings.example')],
  });
  sandbox.insertEvent(sam!.email, {
    summary: 'Team stand-up (internal only)',
    ...timed(-1, 8, 15),
    attendees: [self(sam!), guest(alex!.email, alex!.name)],
  });
  sandbox.insertEvent(sam!.email, {
    summary: 'Offsite (all day)',
    start: { date: day(3, 0).slice(0, 10) },
    end: { date: day(4, 0).slice(0, 10) },
    attendees: [self(sam!), guest('tess@logo.com')],
  });

  sandbox.insertEvent(jo!.email, {
    summary: 'Acme onboarding',
    ...timed(-3, 11, 60),
    attendees: [self(jo!), guest('wile@acme.io', 'Wile E.')],
  });

  const accounts = container.get<AccountRepository>(TOKENS.AccountRepository);
  if ((await accounts.list(1, null)).accounts.length > 0) return;
  await container
    .get(UpsertAccounts)
    .execute(
      ACCOUNTS.map((a) => ({ id: a.id, name: a.name, domains: a.domains.map((d) => EmailDomain.parse(d)!) })),
    );
  await container
    .get(UpsertContacts)
    .execute(CONTACTS.map((c) => ({ email: Email.parse(c.email)!, name: c.name, accountId: c.accountId })));
  logger.info('offline demo: seeded accounts and contacts', {
    accounts: ACCOUNTS.length,
    contacts: CONTACTS.length,
  });
}

/**
 * The sandbox keeps its state in memory. After a restart, members connected before would find their grant and
 * channels gone; offline, the service hands the sandbox back the refresh tokens it stored (it can decrypt them)
 * and the users enrolled through its service account,
 * forgets the channels the old sandbox had, and asks a sync of each calendar (the demo events are new: Google's
 * 410 leads to a full sync that replaces the old ones). The renewal at start then opens new channels.
 */
export async function restoreOfflineConnections(
  sandbox: GoogleSandbox,
  container: Container,
  logger: Logger,
): Promise<void> {
  const members = container.get<MemberRepository>(TOKENS.MemberRepository);
  const channels = container.get<ChannelRepository>(TOKENS.ChannelRepository);
  const sessions = container.get(MemberSessions);
  const scheduler = container.get<SyncScheduler>(TOKENS.SyncScheduler);
  let restored = 0;
  for (const connection of await members.withGrant()) {
    if (connection.status !== 'active') continue;
    const known = DEMO_MEMBERS.some((m) => m.email === connection.email);
    if (connection.via === 'oauth') {
      const credentials = await sessions.credentialsOf(connection);
      if (credentials?.refreshToken == null) continue;
      if (!known) sandbox.addUser({ email: connection.email });
      sandbox.restoreGrant(connection.email, credentials.refreshToken);
    } else if (!known) {
      // Reached by the sandbox's own service account, whose delegation covers every sandbox user.
      sandbox.addUser({ email: connection.email });
    }
    await channels.stopAll(connection.memberId);
    await scheduler.requestSync(connection.memberId);
    restored++;
  }
  if (restored > 0) logger.info('offline demo: sandbox connections restored', { members: restored });
}
