import type { RequestHandler } from 'express';

import type { Logger } from '../../application/ports/logger.port';
import type { Metrics } from '../observability/metrics';

export interface RequestRecord {
  method: string;
  /** The route's pattern, or `unmatched`: the metric's label, so ids in paths never multiply its series. */
  route: string;
  path: string;
  status: number;
  seconds: number;
}

/**
 * One log line and one histogram sample per request. Only the path is logged, never the query string or headers:
 * OAuth callbacks carry codes there.
 */
export function recordRequest(logger: Logger, metrics: Metrics, record: RequestRecord): void {
  metrics.httpRequestDuration.observe(
    { method: record.method, route: record.route, status: String(record.status) },
    record.seconds,
  );
  const fields = {
    method: record.method,
    path: record.path,
    status: record.status,
    durationMs: Math.round(record.seconds * 1e4) / 10,
  };
  if (record.status >= 500) logger.warn('request failed', fields);
  else logger.debug('request', fields);
}

/** recordRequest for every request that passes this middleware, when its answer is sent. */
export function requestLogging(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route =
        typeof (req.route as { path?: unknown } | undefined)?.path === 'string'
          ? `${req.baseUrl}${(req.route as { path: string }).path}`
          : 'unmatched';
      recordRequest(logger, metrics, {
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
    next();
  };
}
