import type { GoogleCredentials } from './calendar-gateway.port';

export interface OAuthGateway {
  /** Google's consent screen: offline access, calendar read-only, consent asked again so a refresh token comes back. */
  authorizationUrl(state: string): string;
  /** Throws ConsentFailedError when Google refuses the code. */
  exchangeCode(code: string): Promise<GoogleCredentials>;
  /** Best effort: a token Google no longer knows is fine. */
  revoke(token: string): Promise<void>;
}
