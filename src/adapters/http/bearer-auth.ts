import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

/** `Authorization: Bearer <key>`, compared in constant time (digests, so the key's length leaks nothing). */
export function bearerAuth(apiKey: string): RequestHandler {
  const expected = digest(apiKey);
  return (req, res, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (match !== null && timingSafeEqual(digest(match[1]!), expected)) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', 'Bearer realm="admin api"').json({
      error: 'unauthorized',
      message: 'A valid "Authorization: Bearer <ADMIN_API_KEY>" header is required',
    });
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
