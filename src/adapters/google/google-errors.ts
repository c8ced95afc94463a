import {
  GoogleRequestError,
  GoogleSetupError,
  GoogleUnavailableError,
  GrantRevokedError,
  InsufficientScopeError,
  RateLimitedError,
  SyncTokenExpiredError,
  UsageLimitedError,
} from '../../application/errors';
import { DomainError } from '../../domain/errors';

/** Per-minute limits: back off and retry soon. */
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
/** "Calendar usage limits exceeded": they last hours ("read-only for a few hours"). */
const USAGE_LIMIT_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
/** The token endpoint refusing the OAuth client itself, not the member's grant. */
const CLIENT_REFUSALS = new Set(['invalid_client', 'unauthorized_client']);
/** `events.watch` refusing the webhook address. */
const WEBHOOK_REFUSALS = new Set([
  'push.webhookUrlUnauthorized',
  'push.webhookUrlNotHttps',
  'webhookUrlUnauthorized',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface GaxiosLike {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; data?: unknown };
}

/** The HTTP status of what the client threw, when Google answered. */
export function statusOf(error: unknown): number | undefined {
  const e = (typeof error === 'object' && error !== null ? error : {}) as GaxiosLike;
  return e.status ?? e.response?.status;
}

/** The OAuth error code of a token endpoint's answer (`invalid_grant`, `invalid_client`, ...), if it gave one. */
export function oauthErrorCode(error: unknown): string | null {
  const e = (typeof error === 'object' && error !== null ? error : {}) as GaxiosLike;
  const code = (e.response?.data as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' ? code : null;
}

/**
 * A 401 of the Calendar API for the access token (not the token endpoint refusing a grant or our client, not
 * `events.watch` refusing the webhook address): worth one retry with a freshly refreshed token.
 */
export function isAccessTokenRefused(error: unknown): boolean {
  return (
    statusOf(error) === 401 &&
    oauthErrorCode(error) === null &&
    !reasonsOf(error).some((reason) => WEBHOOK_REFUSALS.has(reason))
  );
}

/** The `reason`s of a Calendar API error body. */
export function reasonsOf(error: unknown): string[] {
  const e = (typeof error === 'object' && error !== null ? error : {}) as GaxiosLike;
  const data = e.response?.data as { error?: unknown } | undefined;
  const apiError =
    typeof data?.error === 'object' && data.error !== null ? (data.error as Record<string, unknown>) : {};
  return Array.isArray(apiError.errors)
    ? (apiError.errors as { reason?: unknown }[]).map((item) => String(item.reason))
    : [];
}

/**
 * Turns what the googleapis client throws (gaxios errors; `instanceof GaxiosError` is unreliable across
 * versions) into the application's typed errors, by whose doing it is: the member's grant, our own Google setup,
 * Google's limits, or Google failing. Messages are short and carry no token or URL of ours.
 */
export function toTypedGoogleError(error: unknown): Error {
  // Already typed: thrown by our own token source (the delegation's) from inside the client.
  if (error instanceof DomainError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as GaxiosLike;
  const status = statusOf(error);
  const oauthError = oauthErrorCode(error);
  const reasons = reasonsOf(error);
  const data = e.response?.data as { error?: unknown } | undefined;
  const apiMessage = (data?.error as { message?: unknown } | undefined)?.message;
  const message = typeof apiMessage === 'string' ? apiMessage.slice(0, 200) : `HTTP ${status ?? '?'}`;
  const has = (set: ReadonlySet<string>) => reasons.some((reason) => set.has(reason));

  if (oauthError === 'invalid_grant')
    return new GrantRevokedError('Google refused the refresh token (invalid_grant)');
  if (oauthError !== null && CLIENT_REFUSALS.has(oauthError)) {
    return new GoogleSetupError(
      `Google refused this service's OAuth client (${oauthError}): check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET`,
    );
  }
  if (status === 410) return new SyncTokenExpiredError('Google requires a full sync (410 fullSyncRequired)');
  if (status === 429 || (status === 403 && has(RATE_LIMIT_REASONS))) {
    return new RateLimitedError(`Google rate limit: ${message}`);
  }
  if (status === 403 && has(USAGE_LIMIT_REASONS)) {
    return new UsageLimitedError(`Google's usage limits for this calendar were exceeded: ${message}`);
  }
  if (status === 403 && reasons.includes('insufficientPermissions')) {
    return new InsufficientScopeError('Google says the access given does not include the calendar');
  }
  if (status === 403 && reasons.includes('accessNotConfigured')) {
    return new GoogleSetupError(
      'The Google Calendar API is not enabled in the Google Cloud project of this OAuth client: enable it there',
    );
  }
  if (has(WEBHOOK_REFUSALS)) {
    return new GoogleSetupError(
      `Google refused the webhook address (${reasons.join(', ')}): PUBLIC_URL must be an https address Google may push to`,
    );
  }
  if (status === 401) return new GrantRevokedError('Google no longer accepts the member’s credentials (401)');
  // google-auth-library's own refusal to refresh an expired access token: only a new consent gives one.
  if (status === undefined && /no refresh token/i.test(e.message ?? '')) {
    return new GrantRevokedError('No refresh token is stored for the member');
  }
  if (status !== undefined && status >= 500) return new GoogleUnavailableError(`Google failed: ${message}`);
  if (status === undefined && (NETWORK_CODES.has(String(e.code)) || e.code === undefined)) {
    return new GoogleUnavailableError(`Google could not be reached (${String(e.code ?? 'network error')})`);
  }
  return new GoogleRequestError(`Google refused the request: ${message}`);
}
