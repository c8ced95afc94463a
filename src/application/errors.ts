import { DomainError } from '../domain/errors';
import type { ReconnectReason } from '../domain/member-connection';

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

/**
 * Google's usage limits (403 `quotaExceeded`, `dailyLimitExceeded`): unlike rate limits they last hours, so the
 * calendar's syncs pause for USAGE_LIMIT_PAUSE_MS instead of quick retries.
 */
export class UsageLimitedError extends DomainError {
  readonly code = 'usage_limited';
}

export const USAGE_LIMIT_PAUSE_MS = 15 * 60_000;

/** The member's grant lacks the calendar scope (403 `insufficientPermissions`): only a new consent helps. */
export class InsufficientScopeError extends DomainError {
  readonly code = 'insufficient_scope';
}

/**
 * A fault of this service's own Google setup, the same for every member: the OAuth client refused
 * (`invalid_client`, `unauthorized_client`), the Calendar API not enabled (`accessNotConfigured`), the webhook
 * address refused by `events.watch`. The operator must act; members stay connected.
 */
export class GoogleSetupError extends DomainError {
  readonly code = 'google_setup';
}

/**
 * Google's token endpoint refused the domain-wide delegation for a user (`unauthorized_client`: not granted for
 * the service account or the scope; `invalid_grant` "Invalid email or User ID": no such active user): only the
 * Workspace admin can change that.
 */
export class DelegationRefusedError extends DomainError {
  readonly code = 'delegation_refused';
}

/** No GOOGLE_SERVICE_ACCOUNT_KEY (or, for a domain, no GOOGLE_WORKSPACE_ADMIN): delegation cannot be used. */
export class DelegationNotConfiguredError extends DomainError {
  readonly code = 'delegation_not_configured';
}

/** The member's consent did not include calendar access (granular consent): nothing is stored. */
export class ScopeNotGrantedError extends DomainError {
  readonly code = 'scope_not_granted';
}

/** A change-feed position older than the changes still kept (CHANGES_RETENTION_DAYS): read everything again. */
export class FeedPositionExpiredError extends DomainError {
  readonly code = 'cursor_expired';
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

/** Why a Google error means only the member can restore access, or null when it does not. */
export function reconnectReasonOf(error: unknown): ReconnectReason | null {
  if (error instanceof GrantRevokedError) return 'grant_revoked';
  if (error instanceof InsufficientScopeError) return 'insufficient_scope';
  if (error instanceof DelegationRefusedError || error instanceof DelegationNotConfiguredError) {
    return 'delegation_withdrawn';
  }
  return null;
}
