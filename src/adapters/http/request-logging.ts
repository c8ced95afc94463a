import type { RequestHandler } from 'express';

import type { Logger } from '../../application/ports/logger.port';
import type { Metrics } from '../observability/metrics';

/**
 * One log line and one histogram sample per request. Only the path is logged, never the query string or headers:
 * OAuth callbacks carry codes there.
 */
export function requestLogging(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route =
        typeof (req.route as { path?: unknown } | undefined)?.path === 'string'
          ? `${req.baseUrl}${(req.route as { path: string }).path}`
          : 'unmatched';
      metrics.httpRequestDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        seconds,
      );
      const fields = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      };
      if (res.statusCode >= 500) logger.warn('request failed', fields);
      else logger.debug('request', fields);
    });
    next();
  };
}
