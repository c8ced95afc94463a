import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';

import { describeError } from '../../application/errors';
import type { Logger } from '../../application/ports/logger.port';
import type { CompleteSignIn } from '../../application/use-cases/complete-sign-in.use-case';
import type { StartSignIn } from '../../application/use-cases/start-sign-in.use-case';
import { DomainError } from '../../domain/errors';
import { httpStatusOf, RETRY_AFTER_SECONDS } from './errors';
import { protectedForm } from './forms';
import { html, page } from './html';
import type { Sessions } from './session';

export interface AuthDependencies {
  startSignIn: StartSignIn;
  completeSignIn: CompleteSignIn;
  sessions: Sessions;
  logger: Logger;
  /** AUTH_RATE_LIMIT_PER_MINUTE */
  startsPerMinute: number;
}

/** Member sign-in with Google (CONTRACT.md "Member sign-in"). Answers are pages: a browser is on the other end. */
export function authRouter(deps: AuthDependencies): Router {
  const router = Router();

  // Per client address and instance, in memory: a start costs no database work, this bounds the rest.
  const startLimit = rateLimit({
    windowMs: 60_000,
    limit: deps.startsPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res
        .status(429)
        .type('html')
        .send(failurePage('Too many sign-in attempts', 'Wait a minute, then try again.'));
    },
  });

  router.get('/auth/google', startLimit, (_req, res) => {
    const start = deps.startSignIn.execute();
    deps.sessions.rememberState(res, start.state, start.expiresAt.getTime() - Date.now());
    res.redirect(302, start.redirectUrl);
  });

  router.get('/auth/google/callback', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const browserState = deps.sessions.browserState(req);
    deps.sessions.forgetState(res);
    if (text(query.error) !== undefined) {
      res
        .status(400)
        .type('html')
        .send(failurePage('Google sign-in was cancelled', 'No calendar was connected. You can try again.'));
      return;
    }
    try {
      const member = await deps.completeSignIn.execute({
        code: text(query.code),
        state: text(query.state),
        browserState,
      });
      deps.sessions.signIn(res, member.memberId);
      res.redirect(302, '/profile');
    } catch (error) {
      if (!(error instanceof DomainError)) {
        deps.logger.error('sign-in failed unexpectedly', { error: describeError(error) });
        res.status(500).type('html').send(failurePage('Sign-in failed', 'Something went wrong on our side.'));
        return;
      }
      const status = httpStatusOf(error);
      deps.logger.warn('sign-in failed', { code: error.code, error: error.message });
      if (status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).type('html').send(failurePage('Sign-in failed', error.message));
    }
  });

  router.post('/auth/sign-out', ...protectedForm(deps.sessions), (_req, res) => {
    deps.sessions.signOut(res);
    res.redirect(303, '/profile');
  });

  return router;
}

function failurePage(title: string, message: string): string {
  return page(
    title,
    html`<h1>${title}</h1>
      <p class="error">${message}</p>
      <p><a class="button" href="/auth/google">Connect Google Calendar</a></p>`,
  );
}
