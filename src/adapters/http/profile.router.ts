import { Router } from 'express';

import type { DisconnectMember } from '../../application/use-cases/disconnect-member.use-case';
import type { GetProfile, Profile } from '../../application/use-cases/get-profile.use-case';
import { protectedForm } from './forms';
import { html, page, timeTag } from './html';
import type { Sessions } from './session';

const STATUS_TEXT = {
  active: 'Connected',
  needs_reconnect: 'Needs reconnecting',
  disconnected: 'Disconnected',
} as const;

const STATUS_HELP = {
  active: 'Your meetings are recorded on the accounts you meet, usually within seconds of a change.',
  needs_reconnect:
    'We can no longer read your calendar with the access you gave (see the problem below). Reconnect to resume.',
  disconnected: 'Your calendar is not connected. Meetings recorded before stay on their accounts.',
} as const;

/** "My Profile": the signed-in member's connection, with Connect / Reconnect / Disconnect. */
export function profileRouter(deps: {
  getProfile: GetProfile;
  disconnect: DisconnectMember;
  sessions: Sessions;
}): Router {
  const router = Router();

  router.get('/profile', async (req, res) => {
    const memberId = deps.sessions.memberId(req);
    const profile = memberId === null ? null : await deps.getProfile.execute(memberId);
    res.set('Cache-Control', 'no-store').type('html');
    res.send(profile === null ? signedOutPage() : profilePage(profile, deps.sessions.csrfToken(req) ?? ''));
  });

  router.post('/profile/disconnect', ...protectedForm(deps.sessions), async (req, res) => {
    const memberId = deps.sessions.memberId(req);
    if (memberId === null) {
      res
        .status(401)
        .type('html')
        .send(
          page(
            'Not signed in',
            html`<h1>Not signed in</h1>
              <p><a href="/profile">My Profile</a></p>`,
          ),
        );
      return;
    }
    await deps.disconnect.execute(memberId);
    res.redirect(303, '/profile');
  });

  return router;
}

function signedOutPage(): string {
  return page(
    'My Profile',
    html`<h1>My Profile</h1>
      <p>Connect your Google Calendar once: your meetings with customers then appear on their accounts.</p>
      <p><a class="button" href="/auth/google">Connect Google Calendar</a></p>`,
  );
}

function profilePage({ connection, meetings, interactions }: Profile, csrf: string): string {
  return page(
    'My Profile',
    html`<h1>My Profile</h1>
      <dl>
        <dt>Google Calendar</dt>
        <dd>${connection.email}</dd>
        <dt>Status</dt>
        <dd>
          <span class="status" data-status="${connection.status}">${STATUS_TEXT[connection.status]}</span>
          <br />${STATUS_HELP[connection.status]}
        </dd>
        <dt>Connected by</dt>
        <dd data-via="${connection.via}">
          ${
            connection.via === 'delegation'
              ? 'Connected by your Workspace admin: you do not need to consent yourself.'
              : 'You, with your Google sign-in.'
          }
        </dd>
        ${
          connection.lastError === null
            ? ''
            : html`<dt>Problem</dt>
                <dd class="error">${connection.lastError}</dd>`
        }
        <dt>Last sync</dt>
        <dd>${timeTag(connection.lastSyncAt, 'not yet')}</dd>
        <dt>Push channel expires</dt>
        <dd>${timeTag(connection.channelExpiresAt, 'no channel')}</dd>
        <dt>Recorded</dt>
        <dd>${meetings} meetings, ${interactions} interactions</dd>
      </dl>
      ${
        connection.status === 'active'
          ? ''
          : html`<p>
              <a class="button" href="/auth/google"
                >${connection.status === 'disconnected' ? 'Connect' : 'Reconnect'} Google Calendar</a
              >
            </p>`
      }
      <div class="actions">
        ${
          connection.status === 'disconnected'
            ? ''
            : html`<form method="post" action="/profile/disconnect" class="inline">
                <input type="hidden" name="csrf" value="${csrf}" />
                <button type="submit">Disconnect</button>
              </form>`
        }
        <form method="post" action="/auth/sign-out" class="inline">
          <input type="hidden" name="csrf" value="${csrf}" />
          <button type="submit" class="secondary">Sign out</button>
        </form>
      </div>`,
  );
}
