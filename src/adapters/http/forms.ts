import express, { type RequestHandler } from 'express';

import { html, page } from './html';
import type { Sessions } from './session';

/**
 * What every form POST goes through: a small urlencoded body, and the session's anti-CSRF token (see
 * Sessions.csrfOk); a refused form gets a page saying to reload.
 */
export function protectedForm(sessions: Sessions): RequestHandler[] {
  return [
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req, res, next) => {
      if (sessions.csrfOk(req, (req.body as Record<string, unknown> | undefined)?.csrf)) {
        next();
        return;
      }
      res
        .status(403)
        .type('html')
        .send(
          page(
            'Refused',
            html`<h1>Refused</h1>
              <p>The form has expired: reload the page and try again.</p>`,
          ),
        );
    },
  ];
}
