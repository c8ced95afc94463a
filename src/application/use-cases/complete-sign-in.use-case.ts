import { inject, injectable } from 'inversify';

import { Email } from '../../domain/email';
import { GoogleRequestError, InvalidOAuthStateError } from '../errors';
import { MemberSessions } from '../member-sessions';
import type { CalendarGateway, GoogleCredentials } from '../ports/calendar-gateway.port';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import type { OAuthStateStore } from '../ports/oauth-state-store.port';
import { TOKENS } from '../ports/tokens';
import { ConnectMember } from './connect-member.use-case';

export interface CompleteSignInInput {
  code: string | undefined;
  /** The state Google sent back. */
  state: string | undefined;
  /** The state this browser was given when it started (its cookie). */
  browserState: string | undefined;
}

export interface SignedInMember {
  memberId: string;
  email: string;
}

/**
 * Google's callback: checks the state (single-use, this browser's), exchanges the code, learns the member's email
 * from their primary calendar, stores the tokens encrypted and asks for a first full sync. A member reached by the
 * Workspace's delegation keeps it: their sign-in only opens My Profile.
 */
@injectable()
export class CompleteSignIn {
  constructor(
    @inject(TOKENS.OAuthGateway) private readonly oauth: OAuthGateway,
    @inject(TOKENS.OAuthStateStore) private readonly states: OAuthStateStore,
    @inject(TOKENS.CalendarGateway) private readonly calendar: CalendarGateway,
    @inject(MemberSessions) private readonly sessions: MemberSessions,
    @inject(ConnectMember) private readonly connect: ConnectMember,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(input: CompleteSignInInput): Promise<SignedInMember> {
    const verdict = await this.states.consume(input.state, input.browserState, this.clock.now());
    if (verdict === 'other_browser') {
      throw new InvalidOAuthStateError('The sign-in was not started in this browser; start again');
    }
    if (verdict !== 'accepted') {
      throw new InvalidOAuthStateError('This sign-in link was already used or has expired; start again');
    }
    if (!input.code) throw new InvalidOAuthStateError('Google sent no authorization code; start again');

    const credentials = await this.oauth.exchangeCode(input.code);
    // Who signs in is known only from this call's answer: it draws on the project's budget alone.
    const session = this.calendar.session(credentials, null);
    const primary = await session.primaryCalendar();
    const email = Email.parse(primary.id);
    if (email === null)
      throw new GoogleRequestError('Google gave a primary calendar id that is not an email');
    const current = session.credentials();

    const { connection, connected } = await this.connect.execute({
      email: email.value,
      timeZone: primary.timeZone,
      session,
      grant: (member) => {
        // Google sends a refresh token only with a fresh consent: keep the one we have (when it still opens).
        const previous = this.sessions.unseal(member);
        const merged: GoogleCredentials = {
          ...current,
          refreshToken: current.refreshToken ?? previous?.refreshToken ?? null,
        };
        return member.signedIn(this.sessions.seal(merged, member.memberId));
      },
    });
    const { memberId } = connection;
    if (!connected) {
      // Reached by the Workspace's delegation: the sign-in only opens My Profile, and the new grant is given back.
      const token = current.refreshToken ?? current.accessToken;
      if (token !== null) await this.oauth.revoke(token);
      return { memberId, email: email.value };
    }
    if (current.refreshToken === null) {
      this.logger.warn('Google sent no refresh token; syncs will stop when the access token expires', {
        memberId,
      });
    }
    return { memberId, email: email.value };
  }
}
