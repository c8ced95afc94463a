import { Router } from 'express';

import type { GetProfile } from '../../application/use-cases/get-profile.use-case';
import { html, page } from './html';
import type { Sessions } from './session';

const STATUS_TEXT = {
  active: 'Connected',
  needs_reconnect: 'Needs reconnecting',
  disconnected: 'Disconnected',
} as const;

/** "My Profile": the signed-in member's connection. */
export function profileRouter(deps: { getProfile: GetProfile; sessions: Sessions }): Router {
  const router = Router();

  router.get('/profile', async (req, res) => {
    const memberId = deps.sessions.memberId(req);
    const profile = memberId === null ? null : await deps.getProfile.execute(memberId);
    res.set('Cache-Control', 'no-store').type('html');
    if (profile === null) {
      res.send(
        page(
          'My Profile',
          html`<h1>My Profile</h1>
            <p>
              Connect your Google Calendar once: your meetings with customers then appear on their accounts.
            </p>
            <p><a class="button" href="/auth/google">Connect Google Calendar</a></p>`,
        ),
      );
      return;
    }
    const { connection } = profile;
    res.send(
      page(
        'My Profile',
        html`<h1>My Profile</h1>
          <dl>
            <dt>Google Calendar</dt>
            <dd>${connection.email}</dd>
            <dt>Status</dt>
            <dd>
              <span class="status" data-status="${connection.status}">${STATUS_TEXT[connection.status]}</span>
            </dd>
            ${
              connection.lastError === null
                ? ''
                : html`<dt>Problem</dt>
                    <dd class="error">${connection.lastError}</dd>`
            }
            <dt>Last sync</dt>
            <dd>${connection.lastSyncAt?.toISOString() ?? 'not yet'}</dd>
            <dt>Channel expires</dt>
            <dd>${connection.channelExpiresAt?.toISOString() ?? 'no channel'}</dd>
            <dt>Recorded</dt>
            <dd>${profile.meetings} meetings, ${profile.interactions} interactions</dd>
          </dl>
          ${
            connection.status === 'active'
              ? ''
              : html`<p><a class="button" href="/auth/google">Reconnect Google Calendar</a></p>`
          }`,
      ),
    );
  });

  return router;
}
