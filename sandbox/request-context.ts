import type { RequestHandler, Response } from 'express';

import type { SandboxRequest } from './types';

/** Remembers which user a request acted as, for the request log. */
export function setRequestUser(res: Response, email: string): void {
  res.locals.userEmail = email;
}

export function requestUser(res: Response): string | undefined {
  const email: unknown = res.locals.userEmail;
  return typeof email === 'string' ? email : undefined;
}

/** Logs every request once its answer is sent; times are real wall-clock ms so latency can be measured. */
export function requestLog(log: SandboxRequest[]): RequestHandler {
  return (req, res, next) => {
    const startedAt = Date.now();
    const { method, path } = req;
    const query = { ...(req.query as Record<string, unknown>) };
    res.on('finish', () => {
      const userEmail = requestUser(res);
      log.push({
        method,
        path,
        query,
        status: res.statusCode,
        startedAt,
        finishedAt: Date.now(),
        ...(userEmail === undefined ? {} : { userEmail }),
      });
    });
    next();
  };
}
