import type { GoogleCredentials } from '../../application/ports/calendar-gateway.port';
import type { OAuthGateway } from '../../application/ports/oauth-gateway.port';
import { ConsentFailedError, GoogleRequestError, isRetryableGoogleError } from '../../application/errors';
import type { GoogleClientSettings } from './google-endpoints';
import { oauthClient } from './google-calendar.gateway';
import { oauthErrorCode, toTypedGoogleError } from './google-errors';

export const CALENDAR_READONLY_SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';

/** Token endpoint refusals that come from our OAuth client's setup, not from the member's consent. */
const OUR_SETUP_FAULTS = new Set(['invalid_client', 'unauthorized_client', 'redirect_uri_mismatch']);

export class GoogleOAuthGateway implements OAuthGateway {
  constructor(private readonly settings: () => GoogleClientSettings) {}

  authorizationUrl(state: string): string {
    // offline + consent: Google sends a refresh token, and sends one again when a member reconnects.
    return oauthClient(this.settings()).generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [CALENDAR_READONLY_SCOPE],
      include_granted_scopes: true,
      state,
    });
  }

  async exchangeCode(code: string): Promise<GoogleCredentials> {
    try {
      const { tokens } = await oauthClient(this.settings()).getToken(code);
      return {
        accessToken: tokens.access_token ?? null,
        refreshToken: tokens.refresh_token ?? null,
        expiryDate: tokens.expiry_date ?? null,
        scope: tokens.scope ?? null,
      };
    } catch (error) {
      const typed = toTypedGoogleError(error);
      // Google unreachable or busy: worth trying again (503), not the member's doing.
      if (isRetryableGoogleError(typed)) throw typed;
      const code = oauthErrorCode(error);
      if (code !== null && OUR_SETUP_FAULTS.has(code)) {
        throw new GoogleRequestError(
          `Google refused this service's OAuth client (${code}): tell the operator`,
        );
      }
      throw new ConsentFailedError(`Google did not accept the sign-in: ${typed.message}`);
    }
  }

  async revoke(token: string): Promise<void> {
    try {
      await oauthClient(this.settings()).revokeToken(token);
    } catch {
      // Already revoked or unknown to Google: the outcome we wanted.
    }
  }
}
