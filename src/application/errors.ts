import { DomainError } from '../domain/errors';

/** Google said the sync token is no longer valid (410 fullSyncRequired): forget it and sync in full. */
export class SyncTokenExpiredError extends DomainError {
  readonly code = 'sync_token_expired';
}

/** The member's grant is gone (invalid_grant): only a new consent helps. */
export class GrantRevokedError extends DomainError {
  readonly code = 'grant_revoked';
}

/** Google asked us to slow down (403 rateLimitExceeded / userRateLimitExceeded, 429). */
export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
}

/** Google failed or could not be reached (5xx, network); worth retrying later. */
export class GoogleUnavailableError extends DomainError {
  readonly code = 'google_unavailable';
}

/** Any other refusal by Google; retrying the same request will not help. */
export class GoogleRequestError extends DomainError {
  readonly code = 'google_request_failed';
}

/** Another worker took the calendar over (this one stalled past its lease) or the member disconnected. */
export class SyncLeaseLostError extends DomainError {
  readonly code = 'sync_lease_lost';
}

/** The OAuth `state` is missing, forged, expired, replayed or from another browser. */
export class InvalidOAuthStateError extends DomainError {
  readonly code = 'invalid_oauth_state';
}

/** The member gave no consent or Google refused the code. */
export class ConsentFailedError extends DomainError {
  readonly code = 'consent_failed';
}

export const RETRYABLE_GOOGLE_ERRORS = [RateLimitedError, GoogleUnavailableError] as const;

export function isRetryableGoogleError(error: unknown): error is RateLimitedError | GoogleUnavailableError {
  return error instanceof RateLimitedError || error instanceof GoogleUnavailableError;
}

/** A short sentence for admins and logs; never a token or a response body. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 300);
  return typeof error === 'string' ? error.slice(0, 300) : 'unknown error';
}
