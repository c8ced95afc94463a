import request from 'supertest';

import { seedOfflineDemo } from '../../src/offline-demo';
import { auth } from '../support/app';
import { databaseTargets, embeddedTarget, resetData } from '../support/databases';
import { at, type E2E, startE2E } from '../support/e2e';

interface UnmatchedJson {
  title: string;
  reason: string;
  candidateAccountIds: string[];
  unmatchedEmails: string[];
  matchedAccountIds: string[];
  participants: { email: string }[];
}

async function unmatchedMeetings(e: E2E): Promise<UnmatchedJson[]> {
  const res = await request(e.t.app).get('/api/meetings?matched=false').set(auth).expect(200);
  return (res.body as { meetings: UnmatchedJson[] }).meetings;
}

/** The table of /admin/meetings as text a reader sees: tags dropped, white space collapsed. */
async function unmatchedPage(admin: Awaited<ReturnType<E2E['signIn']>>) {
  const res = await admin.agent.get('/admin/meetings').expect(200);
  const table = /<table>[\s\S]*<\/table>/.exec(res.text)?.[0] ?? '';
  return {
    html: table,
    text: table
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/ ,/g, ','),
  };
}

/**
 * CONTRACT.md: the unmatched list holds the meetings with an outside attendee (not internal, not a member) that
 * matched no account. It names only those attendees, never a member of the team (whoever they are, connected
 * before or after the meeting was stored), an internal address or a room, and says which accounts the meeting is
 * recorded on all the same.
 */
describe.each(databaseTargets())('unmatched meetings on $name', (target) => {
  let e: E2E;
  let n = 0;
  // The team's own domain is deliberately not internal here: members must be left out for being members. Each
  // test has members of its own (the sandbox keeps its calendars).
  let alex: string;
  let sam: string;
  const admin = 'boss@ourco.test';
  const colleague = 'pat@eu.ourco-labs.com';
  const room = 'room-1@resource.calendar.google.com';
  const stranger = 'stranger@unknown.example';

  beforeAll(async () => {
    e = await startE2E(target, {
      env: { INTERNAL_DOMAINS: 'ourco-labs.com', ADMIN_EMAILS: admin },
    });
    e.sandbox.addUser({ email: admin });
  });
  afterAll(() => e.stop());

  beforeEach(async () => {
    await resetData(e.t.db.dataSource);
    n++;
    alex = `alex${n}@ourco.test`;
    sam = `sam${n}@ourco.test`;
    e.sandbox.addUser({ email: alex, name: 'Alex' });
    e.sandbox.addUser({ email: sam, name: 'Sam' });
    await request(e.t.app)
      .put('/api/accounts')
      .set(auth)
      .send([
        { id: 'logo', name: 'Logo Inc', domains: ['logo.com'] },
        { id: 'acme', name: 'Acme Corp', domains: ['acme.io'] },
      ])
      .expect(200);
    await request(e.t.app)
      .put('/api/contacts')
      .set(auth)
      .send([{ email: 'tess@logo.com', name: 'Tess Ter', accountId: 'logo' }])
      .expect(200);
  });

  const guest = (email: string, extra: Record<string, unknown> = {}) => ({
    email,
    responseStatus: 'accepted' as const,
    ...extra,
  });
  const meeting = (summary: string, day: number, attendees: ReturnType<typeof guest>[]) => ({
    summary,
    start: { dateTime: at(day, 15) },
    end: { dateTime: at(day, 16) },
    attendees,
  });
  /** Two members, a contact of Logo, someone of Acme's domain, an internal colleague and a room. */
  const team = () => [
    guest(alex),
    guest(sam),
    guest('tess@logo.com'),
    guest('road.runner@acme.io'),
    guest(colleague),
    guest(room, { resource: true }),
  ];

  it('names only the outside attendees nobody matched, and the accounts the meeting is recorded on', async () => {
    e.sandbox.insertSharedEvent(
      [alex, sam],
      meeting('Joint renewal call: Logo and Acme', -1, [...team(), guest(stranger)]),
    );
    e.sandbox.insertSharedEvent([alex, sam], meeting('Everyone outside matched', -2, team()));
    e.sandbox.insertEvent(alex, meeting('Team only', -3, [guest(alex), guest(sam), guest(colleague)]));
    const first = await e.signIn(alex);
    const second = await e.signIn(sam);
    await e.sync(first.memberId);
    await e.sync(second.memberId);

    const listed = await unmatchedMeetings(e);
    expect(listed.map((m) => [m.title, m.reason, m.unmatchedEmails, m.matchedAccountIds])).toEqual([
      ['Joint renewal call: Logo and Acme', 'no_match', [stranger], ['acme', 'logo']],
    ]);
    // Participants keep their meaning (every attendee but rooms), members included.
    expect(listed[0]!.participants.map((p) => p.email)).toEqual(
      expect.arrayContaining([alex, sam, colleague, stranger]),
    );

    const { html, text } = await unmatchedPage(await e.signIn(admin));
    expect(text).toContain(stranger);
    expect(text).toContain('No account matches these attendees');
    expect(text).toMatch(/Recorded on: (Acme Corp, Logo Inc|Logo Inc, Acme Corp)/);
    expect(html).toContain('href="/admin/accounts/logo"');
    expect(html).toContain('href="/admin/accounts/acme"');
    for (const insider of [alex, sam, colleague, room]) expect(text).not.toContain(insider);
    expect(text).not.toContain('Everyone outside matched');
    expect(text).not.toContain('Team only');
  });

  it('stops listing a member who connects after the meeting was stored', async () => {
    // Only in Alex's calendar: Sam's own sync never rewrites these, the connection alone must set them right.
    e.sandbox.insertEvent(alex, meeting('Renewal with a stranger', -1, [...team(), guest(stranger)]));
    e.sandbox.insertEvent(alex, meeting('Renewal with the team', -2, team()));
    e.sandbox.insertSharedEvent([alex, sam], meeting('Kick-off', -3, [...team(), guest('x@gmail.com')]));
    const first = await e.signIn(alex);
    await e.sync(first.memberId);
    // Sam is no member yet: an outside attendee like any other, for now.
    expect((await unmatchedMeetings(e)).map((m) => [m.title, m.unmatchedEmails])).toEqual([
      ['Renewal with a stranger', [sam, stranger]],
      ['Renewal with the team', [sam]],
      ['Kick-off', [sam, 'x@gmail.com']],
    ]);

    const second = await e.signIn(sam);
    const afterConnect = await unmatchedMeetings(e);
    expect(afterConnect.map((m) => [m.title, m.unmatchedEmails, m.matchedAccountIds])).toEqual([
      ['Renewal with a stranger', [stranger], ['acme', 'logo']],
      ['Kick-off', ['x@gmail.com'], ['acme', 'logo']],
    ]);

    // Sam's own copies, synced later, change nothing: members stay out of the list.
    await e.sync(second.memberId);
    await e.sync(first.memberId);
    expect(await unmatchedMeetings(e)).toEqual(afterConnect);
  });
});

/** What `npm start` shows a newcomer: the demo's own team is never an unknown customer. */
describe('unmatched meetings of the offline demo', () => {
  let e: E2E;

  beforeAll(async () => {
    // INTERNAL_DOMAINS unset, and no GOOGLE_CLIENT_ID nor GOOGLE_BASE_URL: the configuration of the offline demo.
    e = await startE2E(embeddedTarget, {
      env: { INTERNAL_DOMAINS: undefined, ADMIN_EMAILS: 'alex@ourco.example' },
    });
  });
  afterAll(() => e.stop());

  it('lists neither the team nor the joint renewal call, which every outside attendee matched', async () => {
    await seedOfflineDemo(e.sandbox, e.t.container, e.t.logger);
    const alex = await e.signIn('alex@ourco.example');
    await e.sync(alex.memberId);
    // Sam, in the joint renewal call, is no member yet: a colleague all the same.
    expect(await unmatchedMeetings(e)).toEqual([]);
    const sam = await e.signIn('sam@ourco.example');
    await e.sync(sam.memberId);

    const listed = await unmatchedMeetings(e);
    expect(listed.map((m) => [m.title, m.reason, m.unmatchedEmails, m.candidateAccountIds])).toEqual([
      [
        'Holdings intro (ambiguous domain)',
        'ambiguous_domain',
        ['cfo@holdings.example'],
        ['globex', 'initech'],
      ],
    ]);
    expect((await e.interactions('acme')).map((i) => i.title)).toContain('Joint renewal call: Logo and Acme');
    const { text } = await unmatchedPage(alex);
    expect(text).not.toContain('@ourco.example');
    expect(text).not.toContain('Joint renewal call');
  });
});
