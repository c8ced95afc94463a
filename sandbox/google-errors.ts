import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  location?: string;
  locationType?: 'header' | 'parameter';
}

/** The body of every Calendar API error: `{error: {code, message, errors: [{domain, reason, message}], status}}`. */
export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status?: string };
}

/** An error answered in Google's shape; `status` is left out where Google's documented body has none. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly item: GoogleErrorItem,
    readonly status: string | undefined,
    message = item.message,
  ) {
    super(message);
  }

  get body(): GoogleErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [this.item],
        ...(this.status === undefined ? {} : { status: this.status }),
      },
    };
  }
}

export const invalidCredentials = (): GoogleApiError =>
  new GoogleApiError(
    401,
    {
      message: 'Invalid Credentials',
      domain: 'global',
      reason: 'authError',
      location: 'Authorization',
      locationType: 'header',
    },
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other ' +
      'valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  );

export const notFound = (): GoogleApiError =>
  new GoogleApiError(404, { domain: 'global', reason: 'notFound', message: 'Not Found' }, 'NOT_FOUND');

export const fullSyncRequired = (): GoogleApiError => {
  const message = 'Sync token is no longer valid, a full sync is required.';
  return new GoogleApiError(410, { domain: 'calendar', reason: 'fullSyncRequired', message }, 'GONE');
};

export const invalidParameter = (location: string, message: string): GoogleApiError =>
  new GoogleApiError(
    400,
    { domain: 'global', reason: 'invalid', message, location, locationType: 'parameter' },
    'INVALID_ARGUMENT',
  );

export const badRequest = (reason: string, message: string, domain = 'global'): GoogleApiError =>
  new GoogleApiError(400, { domain, reason, message }, 'INVALID_ARGUMENT');

export function invalidParameterFromZod(error: ZodError): GoogleApiError {
  const issue = error.issues[0];
  const location = issue?.path.join('.') || 'body';
  return invalidParameter(location, `Invalid value for ${location}: ${issue?.message ?? 'invalid'}`);
}

interface FaultAnswer {
  domain: string;
  reason: string;
  message: string;
  status?: string;
}

export type FaultStatus = 403 | 429 | 500 | 503;

const FAULT_ANSWERS: Record<FaultStatus, FaultAnswer> = {
  // Google's documented 403 rate-limit body carries no `status`.
  403: { domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' },
  429: {
    domain: 'usageLimits',
    reason: 'rateLimitExceeded',
    message: 'Rate Limit Exceeded',
    status: 'RESOURCE_EXHAUSTED',
  },
  500: { domain: 'global', reason: 'backendError', message: 'Backend Error', status: 'INTERNAL' },
  503: { domain: 'global', reason: 'backendError', message: 'Backend Error', status: 'UNAVAILABLE' },
};

const REASON_MESSAGES: Record<string, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  dailyLimitExceeded: 'Daily Limit Exceeded',
  quotaExceeded: 'Calendar usage limits exceeded.',
  backendError: 'Backend Error',
};

export function faultError(code: FaultStatus, reason?: string): GoogleApiError {
  const answer = FAULT_ANSWERS[code];
  const chosen = reason ?? answer.reason;
  const message = REASON_MESSAGES[chosen] ?? answer.message;
  return new GoogleApiError(code, { domain: answer.domain, reason: chosen, message }, answer.status);
}

export function sendGoogleError(res: Parameters<RequestHandler>[1], error: GoogleApiError): void {
  if (error.code === 401) {
    res.set('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
  }
  res.status(error.code).json(error.body);
}

export const googleNotFoundHandler: RequestHandler = (_req, res) => {
  sendGoogleError(res, notFound());
};

/** Everything that escapes a handler answers in Google's shape; unexpected errors are a 500 backendError. */
export const googleErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof GoogleApiError) {
    sendGoogleError(res, error);
    return;
  }
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') {
    sendGoogleError(res, badRequest('parseError', 'Parse Error'));
    return;
  }
  // A sandbox bug must not pass for a Google outage unnoticed.
  console.error('google sandbox: unexpected error', error);
  sendGoogleError(res, faultError(500));
};
