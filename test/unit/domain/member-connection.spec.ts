import {
  type ConnectionSnapshot,
  type ConnectionStatus,
  MemberConnection,
  RECONNECT_REASON_TEXT,
} from '../../../src/domain/member-connection';

const SEALED = new Uint8Array([1, 2, 3]);
const NEW_GRANT = new Uint8Array([9, 9]);

function connection(status: ConnectionStatus, overrides: Partial<ConnectionSnapshot> = {}): MemberConnection {
  return MemberConnection.restore({
    memberId: 'm1',
    email: 'ada@ourco.com',
    status,
    via: 'oauth',
    reason: status === 'needs_reconnect' ? 'grant_revoked' : null,
    lastError: status === 'needs_reconnect' ? RECONNECT_REASON_TEXT.grant_revoked : null,
    credentials: status === 'disconnected' ? null : SEALED,
    version: 7,
    ...overrides,
  });
}

const STATUSES: ConnectionStatus[] = ['active', 'needs_reconnect', 'disconnected'];

describe('MemberConnection', () => {
  describe('transitions (the table in member-connection.ts)', () => {
    it.each(STATUSES)('signedIn from %s: active with the new grant, problems cleared', (from) => {
      const c = connection(from, { lastError: 'old problem' });
      c.signedIn(NEW_GRANT);
      expect(c.snapshot()).toMatchObject({
        status: 'active',
        reason: null,
        lastError: null,
        credentials: NEW_GRANT,
      });
      expect(c).toMatchObject({ changesEpoch: true, restartsSync: true, endsSyncWork: false, canSync: true });
    });

    it.each([
      ['active', true, false],
      ['needs_reconnect', true, true],
      ['disconnected', false, false],
    ] as const)('grantConfirmed from %s: allowed %s, epoch change %s', (from, allowed, epoch) => {
      const c = connection(from);
      expect(c.grantConfirmed()).toBe(allowed);
      expect(c.status).toBe(from === 'disconnected' ? 'disconnected' : 'active');
      expect(c.changesEpoch).toBe(epoch);
      expect(c.restartsSync).toBe(epoch);
    });

    it.each([
      ['active', true],
      ['needs_reconnect', false],
      ['disconnected', false],
    ] as const)('grantRefused (grant_revoked) from %s: changes %s', (from, changes) => {
      const c = connection(from);
      expect(c.grantRefused('grant_revoked')).toBe(changes);
      expect(c.status).toBe(from === 'disconnected' ? 'disconnected' : 'needs_reconnect');
      expect(c.changesEpoch).toBe(changes);
    });

    it('grantRefused with another reason replaces the reason and says it', () => {
      const c = connection('needs_reconnect');
      expect(c.grantRefused('credentials_unreadable')).toBe(true);
      expect(c.snapshot()).toMatchObject({
        reason: 'credentials_unreadable',
        lastError: RECONNECT_REASON_TEXT.credentials_unreadable,
        credentials: SEALED,
      });
    });

    it.each(STATUSES)('disconnected from %s: no credentials, no problem, sync work ended', (from) => {
      const c = connection(from, { lastError: 'something' });
      c.disconnected();
      expect(c.snapshot()).toMatchObject({
        status: 'disconnected',
        credentials: null,
        lastError: null,
        reason: null,
      });
      expect(c).toMatchObject({ changesEpoch: true, endsSyncWork: true, canSync: false });
    });
  });

  it('takes refreshed tokens and problems without moving the version, never once disconnected', () => {
    const active = connection('active');
    expect(active.credentialsRefreshed(NEW_GRANT)).toBe(true);
    expect(active.problem('Google failed')).toBe(true);
    expect(active.problem('Google failed')).toBe(false);
    expect(active).toMatchObject({ changesEpoch: false, lastError: 'Google failed', credentials: NEW_GRANT });
    expect(active.problemSolved()).toBe(true);
    expect(active.lastError).toBeNull();

    const gone = connection('disconnected');
    expect(gone.credentialsRefreshed(NEW_GRANT)).toBe(false);
    expect(gone.problem('late failure')).toBe(false);
    expect(gone.snapshot()).toMatchObject({ credentials: null, lastError: null });

    const broken = connection('needs_reconnect');
    expect(broken.problem('late failure')).toBe(false);
    expect(broken.problemSolved()).toBe(false);
    expect(broken.lastError).toBe(RECONNECT_REASON_TEXT.grant_revoked);
  });

  it('syncs only while active with credentials', () => {
    expect(connection('active').canSync).toBe(true);
    expect(connection('active', { credentials: null }).canSync).toBe(false);
    expect(connection('needs_reconnect').canSync).toBe(false);
    expect(connection('disconnected').canSync).toBe(false);
  });

  describe('through the Workspace delegation', () => {
    const delegated = (status: ConnectionStatus, overrides: Partial<ConnectionSnapshot> = {}) =>
      connection(status, { via: 'delegation', credentials: null, ...overrides });

    it.each(['needs_reconnect', 'disconnected'] as const)(
      'delegated from %s: active by delegation, without stored tokens, its syncing restarted',
      (from) => {
        const c = connection(from);
        expect(c.delegated()).toBe(true);
        expect(c.snapshot()).toMatchObject({
          status: 'active',
          via: 'delegation',
          credentials: null,
          reason: null,
        });
        expect(c).toMatchObject({ canSync: true, changesEpoch: true, restartsSync: true });
      },
    );

    it('leaves an active member as they are, however connected', () => {
      for (const c of [connection('active'), delegated('active')]) {
        const before = c.snapshot();
        expect(c.delegated()).toBe(false);
        expect(c.snapshot()).toEqual(before);
        expect(c.changesEpoch).toBe(false);
      }
    });

    it('keeps a working delegation when the member signs in, and takes the sign-in once it is refused', () => {
      const working = delegated('active');
      expect(working.signedIn(NEW_GRANT)).toBe(false);
      expect(working.snapshot()).toMatchObject({ via: 'delegation', credentials: null });
      const refused = delegated('needs_reconnect', { reason: 'delegation_withdrawn' });
      expect(refused.signedIn(NEW_GRANT)).toBe(true);
      expect(refused.snapshot()).toMatchObject({ status: 'active', via: 'oauth', credentials: NEW_GRANT });
    });

    it("reads a refused delegated access as the delegation's, and confirms it without stored tokens", () => {
      const c = delegated('active');
      expect(c.grantRefused('grant_revoked')).toBe(true);
      expect(c).toMatchObject({
        status: 'needs_reconnect',
        reason: 'delegation_withdrawn',
        lastError: RECONNECT_REASON_TEXT.delegation_withdrawn,
      });
      expect(c.grantConfirmed()).toBe(true);
      expect(c.status).toBe('active');
    });

    it('leaves the directory: disconnected with that cause, for delegated members only', () => {
      const c = delegated('active');
      expect(c.leftDirectory()).toBe(true);
      expect(c).toMatchObject({ status: 'disconnected', reason: 'left_directory', endsSyncWork: true });
      expect(c.lastError).toMatch(/Workspace directory/);
      expect(connection('active').leftDirectory()).toBe(false);
      expect(delegated('disconnected').leftDirectory()).toBe(false);
    });
  });

  it('is current again at the version it was saved with', () => {
    const c = connection('active');
    c.disconnected();
    c.saved(8);
    expect(c).toMatchObject({ version: 8, changesEpoch: false, endsSyncWork: false });
  });
});
