import {
  GoogleRequestError,
  GoogleUnavailableError,
  GrantRevokedError,
  RateLimitedError,
  SyncTokenExpiredError,
} from '../../application/errors';

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);
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
 * Turns what the googleapis client throws (gaxios errors; `instanceof GaxiosError` is unreliable across
 * versions) into the application's typed errors. Messages are short and carry no token or URL.
 */
export function toTypedGoogleError(error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as GaxiosLike;
  const status = statusOf(error);
  const data = e.response?.data as { error?: unknown } | undefined;

  if (data?.error === 'invalid_grant')
    return new GrantRevokedError('Google refused the refresh token (invalid_grant)');
  const apiError =
    typeof data?.error === 'object' && data.error !== null ? (data.error as Record<string, unknown>) : {};
  const reasons = Array.isArray(apiError.errors)
    ? (apiError.errors as { reason?: unknown }[]).map((item) => String(item.reason))
    : [];
  const message =
    typeof apiError.message === 'string' ? apiError.message.slice(0, 200) : `HTTP ${status ?? '?'}`;

  if (status === 410) return new SyncTokenExpiredError('Google requires a full sync (410 fullSyncRequired)');
  if (status === 429 || (status === 403 && reasons.some((reason) => RATE_LIMIT_REASONS.has(reason)))) {
    return new RateLimitedError(`Google rate limit: ${message}`);
  }
  if (status === 401) return new GrantRevokedError('Google no longer accepts the member’s credentials (401)');
  if (status !== undefined && status >= 500) return new GoogleUnavailableError(`Google failed: ${message}`);
  if (status === undefined && (NETWORK_CODES.has(String(e.code)) || e.code === undefined)) {
    return new GoogleUnavailableError(`Google could not be reached (${String(e.code ?? 'network error')})`);
  }
  return new GoogleRequestError(`Google refused the request: ${message}`);
}
