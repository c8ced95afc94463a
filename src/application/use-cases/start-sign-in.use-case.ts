import { inject, injectable } from 'inversify';

import type { Clock } from '../ports/clock.port';
import type { OAuthGateway } from '../ports/oauth-gateway.port';
import type { OAuthStateStore } from '../ports/oauth-state-store.port';
import { TOKENS } from '../ports/tokens';

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

  execute(): SignInStart {
    const { state, expiresAt } = this.states.issue(this.clock.now());
    return { state, redirectUrl: this.oauth.authorizationUrl(state), expiresAt };
  }
}
