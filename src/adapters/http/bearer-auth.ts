import type { RequestHandler } from 'express';

import { sameSecret } from '../crypto/constant-time';

/** `Authorization: Bearer <key>`, compared in constant time. */
export function bearerAuth(apiKey: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (match !== null && sameSecret(match[1]!, apiKey)) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', 'Bearer realm="admin api"').json({
      error: 'unauthorized',
      message: 'A valid "Authorization: Bearer <ADMIN_API_KEY>" header is required',
    });
  };
}
