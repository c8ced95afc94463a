import { inject, injectable } from 'inversify';

import type { CalendarGateway, CalendarSession, GoogleCredentials } from '../ports/calendar-gateway.port';
import type { MemberRepository, SyncState } from '../ports/member-repository.port';
import type { TokenCipher } from '../ports/token-cipher.port';
import { TOKENS } from '../ports/tokens';

export interface MemberSession {
  session: CalendarSession;
  /** Stores access tokens the client refreshed meanwhile (encrypted), keeping the refresh token. */
  saveRefreshed: () => Promise<void>;
}

/** A member's Calendar session from their stored, encrypted credentials. */
@injectable()
export class MemberSessions {
  constructor(
    @inject(TOKENS.MemberRepository) private readonly members: MemberRepository,
    @inject(TOKENS.CalendarGateway) private readonly gateway: CalendarGateway,
    @inject(TOKENS.TokenCipher) private readonly cipher: TokenCipher,
  ) {}

  /** Null when the member has no stored credentials (disconnected). */
  open(state: Pick<SyncState, 'memberId' | 'credentials'>): MemberSession | null {
    if (state.credentials === null) return null;
    const stored = JSON.parse(this.cipher.decrypt(state.credentials, state.memberId)) as GoogleCredentials;
    const session = this.gateway.session(stored, state.memberId);
    return {
      session,
      saveRefreshed: async () => {
        const current = session.credentials();
        if (current.accessToken === stored.accessToken && current.expiryDate === stored.expiryDate) return;
        const merged: GoogleCredentials = {
          ...current,
          refreshToken: current.refreshToken ?? stored.refreshToken,
        };
        await this.members.storeCredentials(
          state.memberId,
          this.cipher.encrypt(JSON.stringify(merged), state.memberId),
        );
      },
    };
  }
}
