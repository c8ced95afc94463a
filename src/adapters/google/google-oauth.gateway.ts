import type { GoogleCredentials } from '../../application/ports/calendar-gateway.port';
import type { OAuthGateway } from '../../application/ports/oauth-gateway.port';
import {
  ConsentFailedError,
  GoogleSetupError,
  isRetryableGoogleError,
  ScopeNotGrantedError,
} from '../../application/errors';
import type { GoogleClientSettings } from './google-endpoints';
import { oauthClient } from './google-calendar.gateway';
import { oauthErrorCode, toTypedGoogleError } from './google-errors';
import { CALENDAR_READONLY_SCOPE } from './scopes';

/** Scopes that let the service read the member's calendar. */
const CALENDAR_SCOPES = [CALENDAR_READONLY_SCOPE, 'https://www.googleapis.com/auth/calendar'];

/** `scope` as the token endpoint answers it: space-separated. */
function grantsCalendar(scope: string): boolean {
  return scope.split(/\s+/).some((granted) => CALENDAR_SCOPES.includes(granted));
}

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
    let credentials: GoogleCredentials;
    try {
      const { tokens } = await oauthClient(this.settings()).getToken(code);
      credentials = {
        accessToken: tokens.access_token ?? null,
        refreshToken: tokens.refresh_token ?? null,
        expiryDate: tokens.expiry_date ?? null,
        scope: tokens.scope ?? null,
      };
    } catch (error) {
      const typed = toTypedGoogleError(error);
      // Google unreachable or busy: worth trying again (503), not the member's doing.
      if (isRetryableGoogleError(typed)) throw typed;
      if (typed instanceof GoogleSetupError) throw typed;
      const code = oauthErrorCode(error);
      if (code === 'redirect_uri_mismatch') {
        throw new GoogleSetupError(
          'Google refused the redirect URI: register $PUBLIC_URL/auth/google/callback for the OAuth client',
        );
      }
      throw new ConsentFailedError(`Google did not accept the sign-in: ${typed.message}`);
    }
    // Granular consent: the member may untick calendar access. Such a grant is given back, not kept.
    if (credentials.scope !== null && !grantsCalendar(credentials.scope)) {
      const token = credentials.refreshToken ?? credentials.accessToken;
      if (token !== null) await this.revoke(token);
      throw new ScopeNotGrantedError(
        'Google Calendar access was not allowed. Connect again and leave calendar access ticked on Google’s consent screen.',
      );
    }
    return credentials;
  }

  async revoke(token: string): Promise<void> {
    try {
      await oauthClient(this.settings()).revokeToken(token);
    } catch {
      // Already revoked or unknown to Google: the outcome we wanted.
    }
  }
}
