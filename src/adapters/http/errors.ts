import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

import type { Logger } from '../../application/ports/logger.port';
import { DomainError, ValidationFailedError, type ValidationIssue } from '../../domain/errors';

/**
 * The HTTP status of each error code. 5xx only for what fails on our side or Google's: malformed input is a 400,
 * Google unreachable or rate limiting a 503 with Retry-After, Google refusing a request of ours a 502.
 */
const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  invalid_oauth_state: 400,
  consent_failed: 400,
  scope_not_granted: 400,
  not_found: 404,
  delegation_not_configured: 409,
  cursor_expired: 410,
  grant_revoked: 409,
  insufficient_scope: 409,
  sync_lease_lost: 409,
  rate_limited: 503,
  usage_limited: 503,
  google_unavailable: 503,
  google_request_failed: 502,
  google_setup: 502,
  delegation_refused: 502,
};

/** What a 503 asks clients to wait before trying again. */
export const RETRY_AFTER_SECONDS = 30;

export function httpStatusOf(error: DomainError): number {
  return STATUS_BY_CODE[error.code] ?? 400;
}

/** Body of every error answer: a stable `error` code, a sentence, and for 400s the reasons. */
export interface ErrorBody {
  error: string;
  message: string;
  issues?: ValidationIssue[];
}

export function zodIssues(error: ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', message: 'No such endpoint' } satisfies ErrorBody);
};

/** Maps error codes to statuses; anything unexpected is logged and answered 500 without details. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ZodError) {
      res
        .status(400)
        .json({ error: 'validation_failed', message: 'The request is invalid', issues: zodIssues(error) });
      return;
    }
    if (error instanceof ValidationFailedError) {
      res
        .status(400)
        .json({ error: error.code, message: error.message, issues: error.issues } satisfies ErrorBody);
      return;
    }
    if (error instanceof DomainError) {
      const status = httpStatusOf(error);
      if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).json({ error: error.code, message: error.message } satisfies ErrorBody);
      return;
    }
    const status = clientErrorStatus(error);
    if (status !== null) {
      res.status(status).json(clientErrorBody(error, status));
      return;
    }
    logger.error('unhandled error', {
      method: req.method,
      path: req.path,
      error:
        error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error,
    });
    res
      .status(500)
      .json({ error: 'internal', message: 'Something went wrong on our side' } satisfies ErrorBody);
  };
}

/**
 * Errors that express and its body parsers raise for the client's request (malformed JSON, a body too large, a
 * path that is not validly percent-encoded), with their 4xx status; null for anything else.
 */
function clientErrorStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  return expose === true || error instanceof URIError ? status : null;
}

function clientErrorBody(error: unknown, status: number): ErrorBody {
  if (status === 413) return { error: 'payload_too_large', message: 'The request body is too large' };
  if (error instanceof URIError) return { error: 'bad_request', message: 'The URL is not validly encoded' };
  if ((error as { type?: unknown }).type === 'entity.parse.failed')
    return { error: 'invalid_body', message: 'The request body is not valid JSON' };
  return { error: 'bad_request', message: 'The request is malformed' };
}
