import { inject, injectable } from 'inversify';

import type { MemberConnection, SealedCredentials } from '../domain/member-connection';
import { DelegationNotConfiguredError, describeError, GoogleSetupError, reconnectReasonOf } from './errors';
import type { CalendarGateway, CalendarSession, GoogleCredentials } from './ports/calendar-gateway.port';
import type { Logger } from './ports/logger.port';
import type { MemberRepository } from './ports/member-repository.port';
import type { TokenCipher } from './ports/token-cipher.port';
import { TOKENS } from './ports/tokens';

export interface MemberSession {
  session: CalendarSession;
  /**
   * Stores the access token the client refreshed meanwhile (keeping the refresh token), unless the connection's
   * grant changed since it was read: a Disconnect or a new sign-in is never undone by it.
   */
  saveRefreshed: () => Promise<void>;
}

/** What a Google error did to a member's connection. */
export type FaultOutcome = 'needs_reconnect' | 'problem' | 'stale';

/**
 * A member's Calendar session from their sealed credentials: the one place that seals and opens them, and that
 * decides what a Google error means for the connection.
 */
@injectable()
export class MemberSessions {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.CalendarGateway) private readonly gateway: CalendarGateway,
    @inject(TOKENS.TokenCipher) private readonly cipher: TokenCipher,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  seal(credentials: GoogleCredentials, memberId: string): SealedCredentials {
    return this.cipher.encrypt(JSON.stringify(credentials), memberId);
  }

  /** The stored credentials, or null when there are none or they no longer open. Changes nothing. */
  unseal(connection: MemberConnection): GoogleCredentials | null {
    if (connection.credentials === null) return null;
    try {
      return JSON.parse(
        this.cipher.decrypt(connection.credentials, connection.memberId),
      ) as GoogleCredentials;
    } catch {
      return null;
    }
  }

  /**
   * The stored credentials, or null: none are stored, or they no longer open (SECRET_KEY changed), in which case
   * the member is made `needs_reconnect` with that reason. Outside a transaction only (it may save the member).
   */
  async credentialsOf(connection: MemberConnection): Promise<GoogleCredentials | null> {
    const credentials = this.unseal(connection);
    if (credentials === null && connection.credentials !== null) {
      this.logger.error('stored Google credentials cannot be decrypted (SECRET_KEY changed?)', {
        memberId: connection.memberId,
      });
      if (connection.grantRefused('credentials_unreadable')) await this.members.save(connection);
    }
    return credentials;
  }

  /**
   * A session on the member's grant, whatever the status: their stored credentials, or the Workspace's
   * delegation. Null when there is none that works here: no credentials that open, or a delegated member while
   * GOOGLE_SERVICE_ACCOUNT_KEY is not set (who is then made `needs_reconnect`).
   */
  async open(connection: MemberConnection): Promise<MemberSession | null> {
    if (connection.via === 'delegation') return this.openDelegated(connection);
    const stored = await this.credentialsOf(connection);
    if (stored === null) return null;
    const session = this.gateway.session(stored, connection.memberId);
    return {
      session,
      saveRefreshed: async () => {
        const current = session.credentials();
        if (current.accessToken === stored.accessToken && current.expiryDate === stored.expiryDate) return;
        const merged: GoogleCredentials = {
          ...current,
          refreshToken: current.refreshToken ?? stored.refreshToken,
        };
        if (!connection.credentialsRefreshed(this.seal(merged, connection.memberId))) return;
        if (!(await this.members.save(connection)))
          this.logger.debug('refreshed access token not stored: the connection changed meanwhile', {
            memberId: connection.memberId,
          });
      },
    };
  }

  private async openDelegated(connection: MemberConnection): Promise<MemberSession | null> {
    try {
      const session = this.gateway.delegatedSession(connection.email, connection.memberId);
      // Delegated tokens live in memory only: there is nothing to store.
      return { session, saveRefreshed: () => Promise.resolve() };
    } catch (error) {
      if (!(error instanceof DelegationNotConfiguredError)) throw error;
      await this.recordFault(connection, error, 'Opening the calendar');
      return null;
    }
  }

  /**
   * Records what a Google error means for the member: a refused grant (or one without the calendar scope) makes
   * them `needs_reconnect`; anything else is a problem shown in `lastError`, prefixed with what was being done.
   * Faults of our own Google setup are logged as errors too: the operator must act, not the member. `stale` when
   * the connection changed meanwhile (a Disconnect, a new sign-in): nothing is recorded then.
   */
  async recordFault(connection: MemberConnection, error: unknown, doing: string): Promise<FaultOutcome> {
    const reason = reconnectReasonOf(error);
    if (error instanceof GoogleSetupError) {
      this.logger.error('Google refused this service’s setup', {
        memberId: connection.memberId,
        error: describeError(error),
      });
    }
    const changed =
      reason === null
        ? connection.problem(`${doing}: ${describeError(error)}`)
        : connection.grantRefused(reason);
    if (changed && !(await this.members.save(connection))) return 'stale';
    return reason === null ? 'problem' : 'needs_reconnect';
  }
}
