import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  location?: string;
  locationType?: 'header' | 'parameter';
  extendedHelp?: string;
}

/** google.rpc.ErrorInfo, as Google's newer error bodies carry it in `details`. */
export interface GoogleErrorInfo {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/**
 * The body of every Calendar API error: `{error: {code, message, errors: [{domain, reason, message}]}}`, plus
 * `status` and `details` where Google sends them.
 */
export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: GoogleErrorItem[];
    status?: string;
    details?: GoogleErrorInfo[];
  };
}

/** An error answered in Google's shape; `status` is left out where Google's documented body has none. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly item: GoogleErrorItem,
    readonly status: string | undefined,
    message = item.message,
    readonly details?: GoogleErrorInfo[],
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
        ...(this.details === undefined ? {} : { details: this.details }),
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

/** The watch errors Google documents nowhere; their bodies follow the documented form, without `status`. */
export const webhookUrlNotHttps = (address: string): GoogleApiError => {
  const message = `WebHook callback must be HTTPS: ${address}`;
  return new GoogleApiError(400, { domain: 'global', reason: 'push.webhookUrlNotHttps', message }, undefined);
};

export const webhookUrlUnauthorized = (address: string): GoogleApiError => {
  const message = `Unauthorized WebHook callback channel: ${address}`;
  return new GoogleApiError(
    401,
    { domain: 'global', reason: 'push.webhookUrlUnauthorized', message },
    undefined,
  );
};

export const forbidden = (): GoogleApiError =>
  new GoogleApiError(403, { domain: 'global', reason: 'forbidden', message: 'Forbidden' }, undefined);

const PROJECT_NUMBER = '123456789012';
const ENABLE_API_URL =
  'https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview' +
  `?project=${PROJECT_NUMBER}`;

/** The Calendar API switched off in the client's project (observed shape; the domain is the sandbox's guess). */
export const accessNotConfigured = (): GoogleApiError => {
  const message =
    `Google Calendar API has not been used in project ${PROJECT_NUMBER} before or it is disabled. ` +
    `Enable it by visiting ${ENABLE_API_URL} then retry.`;
  return new GoogleApiError(
    403,
    { message, domain: 'usageLimits', reason: 'accessNotConfigured', extendedHelp: ENABLE_API_URL },
    undefined,
  );
};

/** The token's grant lacks the scope the call needs (observed shape, with its ErrorInfo). */
export const insufficientPermissions = (method?: string): GoogleApiError =>
  new GoogleApiError(
    403,
    { message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' },
    'PERMISSION_DENIED',
    'Request had insufficient authentication scopes.',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: {
          service: 'calendar-json.googleapis.com',
          ...(method === undefined ? {} : { method }),
        },
      },
    ],
  );

const CALENDAR_METHODS: Array<[string, RegExp, string]> = [
  ['GET', /\/calendar\/v3\/calendars\/[^/]+$/, 'calendar.v3.Calendars.Get'],
  ['GET', /\/calendar\/v3\/calendars\/[^/]+\/events$/, 'calendar.v3.Events.List'],
  ['POST', /\/calendar\/v3\/calendars\/[^/]+\/events\/watch$/, 'calendar.v3.Events.Watch'],
  ['POST', /\/calendar\/v3\/channels\/stop$/, 'calendar.v3.Channels.Stop'],
];

/** Google's name of the method a request calls, as ErrorInfo metadata gives it, wherever the app is mounted. */
export function calendarMethod(httpMethod: string, path: string): string | undefined {
  return CALENDAR_METHODS.find(([verb, pattern]) => verb === httpMethod && pattern.test(path))?.[2];
}

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

/** The reasons `injectFault` knows; others are answered with the status's default domain and message. */
export type FaultReason =
  | 'rateLimitExceeded'
  | 'userRateLimitExceeded'
  | 'quotaExceeded'
  | 'dailyLimitExceeded'
  | 'insufficientPermissions'
  | 'accessNotConfigured'
  | 'forbidden'
  | 'backendError';

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

const REASON_ANSWERS: Record<string, { domain: string; message: string }> = {
  rateLimitExceeded: { domain: 'usageLimits', message: 'Rate Limit Exceeded' },
  userRateLimitExceeded: { domain: 'usageLimits', message: 'User Rate Limit Exceeded' },
  quotaExceeded: { domain: 'usageLimits', message: 'Calendar usage limits exceeded.' },
  dailyLimitExceeded: { domain: 'usageLimits', message: 'Daily Limit Exceeded' },
  forbidden: { domain: 'global', message: 'Forbidden' },
  backendError: { domain: 'global', message: 'Backend Error' },
};

/** `method` names the call (see `calendarMethod`) for the bodies that carry it. */
export function faultError(code: FaultStatus, reason?: string, method?: string): GoogleApiError {
  if (code === 403 && reason === 'insufficientPermissions') return insufficientPermissions(method);
  if (code === 403 && reason === 'accessNotConfigured') return accessNotConfigured();
  const answer = FAULT_ANSWERS[code];
  const chosen = reason ?? answer.reason;
  const known = Object.hasOwn(REASON_ANSWERS, chosen) ? REASON_ANSWERS[chosen] : undefined;
  const item = {
    domain: known?.domain ?? answer.domain,
    reason: chosen,
    message: known?.message ?? answer.message,
  };
  return new GoogleApiError(code, item, answer.status);
}

export function sendGoogleError(res: Parameters<RequestHandler>[1], error: GoogleApiError): void {
  if (error.item.reason === 'authError') {
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
