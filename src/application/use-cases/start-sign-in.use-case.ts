import { randomBytes } from 'node:crypto';

import { inject, injectable } from 'inversify';

import type { Clock } from '../ports/clock.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import type { OAuthStateStore } from '../ports/oauth-state-store.port';
import { TOKENS } from '../ports/tokens';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface SignInStart {
  /** Also given to the browser (a cookie), which must bring it back with the callback. */
  state: string;
  redirectUrl: string;
  expiresAt: Date;
}

/** Begins "Connect Google Calendar": a fresh single-use state and Google's consent URL. */
@injectable()
export class StartSignIn {
  constructor(
    @inject(TOKENS.OAuthGateway) private readonly oauth: OAuthGateway,
    @inject(TOKENS.OAuthStateStore) private readonly states: OAuthStateStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(): Promise<SignInStart> {
    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + OAUTH_STATE_TTL_MS);
    await this.states.save(state, expiresAt);
    return { state, redirectUrl: this.oauth.authorizationUrl(state), expiresAt };
  }
}
