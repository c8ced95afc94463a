import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

import express, { type RequestHandler } from 'express';
import { z } from 'zod';

import { describeError } from '../../application/errors';
import type { Logger } from '../../application/ports/logger.port';
import type { HandlePushNotification } from '../../application/use-cases/handle-push-notification.use-case';
import type { Metrics } from '../observability/metrics';
import { recordRequest } from './request-logging';

export const WEBHOOK_PATH = '/webhooks/google/calendar';
/** Google sends no body; anything larger than this is not Google. */
const BODY_LIMIT = '64kb';

const headerValue = (max: number) => z.string().min(1).max(max);

/** Google's push headers (Node lowercases names). */
const pushHeadersSchema = z.object({
  'x-goog-channel-id': z.uuid(),
  'x-goog-channel-token': headerValue(256),
  'x-goog-resource-id': headerValue(256),
  'x-goog-resource-state': z.enum(['sync', 'exists', 'not_exists']),
  'x-goog-message-number': z.string().regex(/^\d{1,20}$/),
  'x-goog-resource-uri': headerValue(2048).optional(),
  'x-goog-channel-expiration': headerValue(100).optional(),
});

/**
 * A push carries a body only when it says so. `Content-Length: 0` (what Google sends) skips the body parser,
 * which would otherwise read the empty stream over several ticks on the busiest route.
 */
function announcesBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export interface PushReceiver {
  /**
   * The route for express: pushes that carry a body (read first, and refused with 413 over the limit), or whose
   * URL is not exactly the path (a query string, a trailing slash).
   */
  route: RequestHandler;
  /**
   * Answers a push without a body (what Google sends) ahead of express, or returns false for express to route the
   * request. Express's router, request and response prototypes cost a push more CPU than its own work, and most of
   * the garbage that the push leaves to the old generation (docs/benchmarks.md, "webhook").
   */
  direct(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * CONTRACT.md "Google push": verify, mark the calendar durably, answer 200 at once; the sync runs afterwards.
 * Anything not from a live channel of ours is a 4xx and changes nothing; a database outage is a 503 (Google
 * retries). Either way it is answered ahead of every middleware, so it logs and measures itself (recordRequest,
 * as the others).
 */
export function pushReceiver(deps: {
  handle: HandlePushNotification;
  metrics: Metrics;
  logger: Logger;
}): PushReceiver {
  const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });
  const record = (status: number, started: number) =>
    recordRequest(deps.logger, deps.metrics, {
      method: 'POST',
      route: WEBHOOK_PATH,
      path: WEBHOOK_PATH,
      status,
      seconds: (performance.now() - started) / 1e3,
    });
  const accept = async (
    headers: IncomingHttpHeaders,
    res: ServerResponse,
    started: number,
  ): Promise<void> => {
    const parsed = pushHeadersSchema.safeParse(headers);
    const state = parsed.success ? parsed.data['x-goog-resource-state'] : 'invalid';
    const answer = (status: number, outcome: string) => {
      deps.metrics.pushNotifications.inc({ state, outcome });
      res.statusCode = status;
      res.end();
      record(status, started);
    };
    if (!parsed.success) {
      answer(400, 'malformed');
      return;
    }
    const push = parsed.data;
    let outcome;
    try {
      outcome = await deps.handle.execute({
        channelId: push['x-goog-channel-id'],
        token: push['x-goog-channel-token'],
        resourceId: push['x-goog-resource-id'],
        state: push['x-goog-resource-state'],
      });
    } catch (error) {
      deps.logger.warn('push notification not stored', {
        error: describeError(error),
      });
      answer(503, 'unavailable');
      return;
    }
    if (outcome === 'bad_token') answer(401, outcome);
    else if (outcome === 'unknown_channel') answer(404, outcome);
    else answer(200, outcome);
  };
  // Nothing above awaits this promise (neither Node's server nor the body parser's callback): a fault gets a 500.
  const answerPush = (headers: IncomingHttpHeaders, res: ServerResponse, started: number): void => {
    accept(headers, res, started).catch((error: unknown) => {
      deps.logger.error('push notification not answered', { error: describeError(error) });
      if (res.headersSent) return;
      res.statusCode = 500;
      res.end();
      try {
        record(500, started);
      } catch {
        // The metrics may be what failed: the line above already tells.
      }
    });
  };
  return {
    route: (req, res, next) => {
      const started = performance.now();
      if (!announcesBody(req.headers)) {
        answerPush(req.headers, res, started);
        return;
      }
      // A body is ignored, but read (and one over the limit refused with 413 by the error handler) first.
      rawBody(req, res, (error?: unknown) => {
        if (error === undefined) {
          answerPush(req.headers, res, started);
          return;
        }
        res.once('finish', () => record(res.statusCode, started));
        next(error);
      });
    },
    direct: (req, res) => {
      if (req.method !== 'POST' || req.url !== WEBHOOK_PATH || announcesBody(req.headers)) return false;
      answerPush(req.headers, res, performance.now());
      return true;
    },
  };
}
