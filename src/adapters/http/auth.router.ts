import { Router } from 'express';

import type { Logger } from '../../application/ports/logger.port';
import type { CompleteSignIn } from '../../application/use-cases/complete-sign-in.use-case';
import { OAUTH_STATE_TTL_MS, type StartSignIn } from '../../application/use-cases/start-sign-in.use-case';
import { DomainError } from '../../domain/errors';
import { protectedForm } from './forms';
import { html, page } from './html';
import type { Sessions } from './session';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_oauth_state: 400,
  consent_failed: 400,
  grant_revoked: 400,
  rate_limited: 503,
  google_unavailable: 503,
  google_request_failed: 502,
};

export interface AuthDependencies {
  startSignIn: StartSignIn;
  completeSignIn: CompleteSignIn;
  sessions: Sessions;
  logger: Logger;
}

/** Member sign-in with Google (CONTRACT.md "Member sign-in"). Answers are pages: a browser is on the other end. */
export function authRouter(deps: AuthDependencies): Router {
  const router = Router();

  router.get('/auth/google', async (_req, res) => {
    const start = await deps.startSignIn.execute();
    deps.sessions.rememberState(res, start.state, OAUTH_STATE_TTL_MS);
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
      if (!(error instanceof DomainError) || STATUS_BY_CODE[error.code] === undefined) throw error;
      deps.logger.warn('sign-in failed', { code: error.code, error: error.message });
      res.status(STATUS_BY_CODE[error.code]!).type('html').send(failurePage('Sign-in failed', error.message));
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
