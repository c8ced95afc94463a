import { readFileSync } from 'node:fs';
import path from 'node:path';

import { mapEvent, mapEventsPage } from '../../../src/adapters/google/google-event.mapper';
import { toTypedGoogleError } from '../../../src/adapters/google/google-errors';
import {
  GoogleRequestError,
  GoogleUnavailableError,
  GrantRevokedError,
  RateLimitedError,
  SyncTokenExpiredError,
} from '../../../src/application/errors';

/** The Google adapter against Google's documented JSON (the same fixtures pin the sandbox). */
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/google', `${name}.json`), 'utf8'));

/** What gaxios throws: the status and Google's body under `response`. */
const gaxiosError = (status: number, data: unknown) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    status,
    response: { status, data },
  });

describe('Google event mapping', () => {
  it('maps a page with nextPageToken and no sync token', () => {
    const { page, skipped } = mapEventsPage(fixture('events-list-page'));
    expect(skipped).toBe(0);
    expect(page.nextPageToken).toBe('CigKGjdjYmg4cnBjMTBscmMwY2tpaDl0YWZzczk5GAEggIDA6JqN_gI=');
    expect(page.nextSyncToken).toBeNull();
    expect(page.timeZone).toBe('Europe/London');
    expect(page.events[0]).toMatchObject({
      status: 'confirmed',
      eventId: '7cbh8rpc10lrc0ckih9tafss99',
      start: { kind: 'instant', at: new Date('2026-03-03T15:00:00Z'), timeZone: 'Europe/London' },
      originalStart: null,
    });
    expect((page.events[0] as { attendees: { email: string }[] }).attendees.map((a) => a.email)).toEqual([
      'ada@ourco.com',
      'tess@logo.com',
    ]);
  });

  it('takes the sync token from the last page', () => {
    const { page } = mapEventsPage(fixture('events-list-last-page'));
    expect(page).toMatchObject({ nextPageToken: null, nextSyncToken: 'CPDAlvWDx70CEPDAlvWDx70CGAU=' });
  });

  it('keys a recurring instance by its original start', () => {
    expect(mapEvent(fixture('event-recurring-instance'))).toMatchObject({
      eventId: '4eahs9ghkhrvkld72hogu9ph3e_20260302T100000Z',
      originalStart: { kind: 'instant', at: new Date('2026-03-02T10:00:00Z') },
    });
  });

  it.each(['event-cancelled', 'event-cancelled-instance'])(
    'reads the tombstone %s as a cancellation',
    (name) => {
      expect(mapEvent(fixture(name))).toEqual({ status: 'cancelled', eventId: expect.any(String) });
    },
  );

  it('skips items that are no events rather than failing the page', () => {
    const { page, skipped } = mapEventsPage({
      items: [{ nope: true }, { id: 'x', start: {} }],
      nextSyncToken: 't',
    });
    expect(skipped).toBe(2);
    expect(page.events).toEqual([]);
  });
});

describe('Google error mapping', () => {
  it.each([
    ['error-410-full-sync-required', 410, SyncTokenExpiredError],
    ['error-403-rate-limit', 403, RateLimitedError],
    ['error-429-rate-limit', 429, RateLimitedError],
    ['error-500-backend', 500, GoogleUnavailableError],
    ['error-401-invalid-credentials', 401, GrantRevokedError],
    ['error-invalid-grant', 400, GrantRevokedError],
  ])('%s becomes a typed error', (name, status, type) => {
    expect(toTypedGoogleError(gaxiosError(status, fixture(name)))).toBeInstanceOf(type);
  });

  it('treats a 403 that is not a rate limit as a refusal, not a reason to retry', () => {
    const forbidden = { error: { code: 403, message: 'Forbidden', errors: [{ reason: 'forbidden' }] } };
    expect(toTypedGoogleError(gaxiosError(403, forbidden))).toBeInstanceOf(GoogleRequestError);
  });

  it('treats a refused connection as Google being unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toTypedGoogleError(refused)).toBeInstanceOf(GoogleUnavailableError);
  });

  it('keeps tokens out of the message', () => {
    const error = toTypedGoogleError(
      Object.assign(gaxiosError(400, { error: { message: 'Bad syncToken', errors: [] } }), {
        config: { url: 'https://x/?access_token=secret-token' },
      }),
    );
    expect(error.message).not.toContain('secret-token');
  });
});
