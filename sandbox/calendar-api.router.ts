import { createHash } from 'node:crypto';

import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';

import type { ChannelRegistry } from './channels';
import type { CalendarState, EventStore } from './event-store';
import { changesSince, compareKeys, fullListing, type ListedEvent, toWire } from './events-query';
import {
  accessNotConfigured,
  badRequest,
  calendarMethod,
  forbidden,
  fullSyncRequired,
  GoogleApiError,
  insufficientPermissions,
  invalidCredentials,
  invalidParameter,
  invalidParameterFromZod,
  notFound,
  webhookUrlNotHttps,
  webhookUrlUnauthorized,
} from './google-errors';
import {
  decodePageToken,
  decodeSyncToken,
  encodePageToken,
  encodeSyncToken,
  queryFingerprint,
} from './list-tokens';
import type { OAuthStore } from './oauth-store';
import type { PushSender } from './push-sender';
import { requestUser, setRequestUser } from './request-context';
import { parseDateTime } from './time-zones';

/** A refusal of every `events.watch`, as Google answers an unverified or forbidden callback. */
export type WatchRefusal =
  { status: 401; reason: 'push.webhookUrlUnauthorized' } | { status: 403; reason: 'forbidden' };

export interface CalendarApiDependencies {
  store: EventStore;
  oauth: OAuthStore;
  channels: ChannelRegistry;
  pushSender: PushSender;
  now: () => Date;
  /** Google's internal limit on a channel's life; the more restrictive of it and the asked ttl wins. */
  maxChannelTtlSeconds: number;
  /** Hosts whose plain-http callbacks are accepted (Google accepts none). */
  httpWebhookHosts: readonly string[];
  /** Send the channel's `sync` and wait for its first attempt before answering the watch. */
  syncBeforeWatchAnswer: boolean;
  watchRefusal(): WatchRefusal | null;
  apiDisabled(): boolean;
}

const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 2500;
const DEFAULT_CHANNEL_TTL_SECONDS = 604_800;
/** Either scope lets the service read a calendar; the narrower Google scopes are not modelled. */
const CALENDAR_READ_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar',
];
const SYNC_TOKEN_CONFLICTS = ['timeMin', 'timeMax', 'orderBy', 'q', 'updatedMin', 'iCalUID'] as const;

const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');

const timestampParam = z.string().transform((value, ctx) => {
  const ms = parseDateTime(value, undefined);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with a time zone offset' });
    return z.NEVER;
  }
  return ms;
});

const listQuerySchema = z.object({
  maxResults: z.coerce.number().int().min(1).optional(),
  pageToken: z.string().optional(),
  syncToken: z.string().optional(),
  timeMin: timestampParam.optional(),
  timeMax: timestampParam.optional(),
  updatedMin: timestampParam.optional(),
  singleEvents: booleanParam.default(false),
  showDeleted: booleanParam.default(false),
  orderBy: z.enum(['startTime', 'updated']).optional(),
  q: z.string().optional(),
  iCalUID: z.string().optional(),
});

type ListQuery = z.infer<typeof listQuerySchema>;

const watchSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9\-_+/=]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 - _ + / ='),
  type: z.enum(['web_hook', 'webhook']),
  address: z.string(),
  token: z.string().max(256).optional(),
  params: z
    .object({
      ttl: z
        .string()
        .regex(/^[1-9]\d*$/, 'must be a number of seconds')
        .optional(),
    })
    .optional(),
});

const stopSchema = z.object({ id: z.string(), resourceId: z.string() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidParameterFromZod(parsed.error);
  return parsed.data;
}

/** The Calendar API v3 subset the service uses: calendars.get, events.list, events.watch, channels.stop. */
export function calendarApiRouter(deps: CalendarApiDependencies): Router {
  const router = Router();
  const json = express.json();

  router.use((req, res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const access = bearer === undefined ? null : deps.oauth.accessOf(bearer);
    if (access === null) throw invalidCredentials();
    setRequestUser(res, access.email);
    if (deps.apiDisabled()) throw accessNotConfigured();
    if (!access.scopes.some((scope) => CALENDAR_READ_SCOPES.includes(scope))) {
      throw insufficientPermissions(calendarMethod(req.method, `${req.baseUrl}${req.path}`));
    }
    next();
  });

  /** A user reaches only their own calendar, as `primary` or by its id; any other is "not found". */
  function ownCalendar(req: Request, res: Response): CalendarState {
    const email = requestUser(res)!;
    const calendarId = String(req.params.calendarId);
    if (calendarId !== 'primary' && calendarId.toLowerCase() !== email) throw notFound();
    return deps.store.calendar(email);
  }

  router.get('/calendars/:calendarId', (req, res) => {
    const calendar = ownCalendar(req, res);
    res.json({
      kind: 'calendar#calendar',
      etag: `"${createHash('sha1').update(`${calendar.email} ${calendar.timeZone}`).digest('base64url')}"`,
      id: calendar.email,
      summary: calendar.email,
      timeZone: calendar.timeZone,
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    });
  });

  router.get('/calendars/:calendarId/events', (req, res) => {
    const calendar = ownCalendar(req, res);
    const query = parse(listQuerySchema, req.query);
    checkCombinations(query);
    const { pageToken: _pageToken, maxResults, ...identity } = query;
    const fingerprint = queryFingerprint([calendar.email, identity]);
    let startSeq = deps.store.seq;
    let after: ListedEvent['key'] | undefined;
    if (query.pageToken !== undefined) {
      const page = decodePageToken(query.pageToken);
      if (page?.query !== fingerprint) throw invalidParameter('pageToken', 'Invalid page token value.');
      ({ seq: startSeq, after } = page);
    }
    const listing = listEvents(calendar, query);
    const rest = after === undefined ? listing : listing.filter((item) => compareKeys(item.key, after) > 0);
    const items = rest.slice(0, Math.min(maxResults ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
    const last = items.at(-1);
    res.json({
      kind: 'calendar#events',
      etag: `"p${deps.store.seq.toString(36)}"`,
      summary: calendar.email,
      description: '',
      updated: calendar.updated,
      timeZone: calendar.timeZone,
      accessRole: 'owner',
      defaultReminders: [],
      ...(last !== undefined && rest.length > items.length
        ? { nextPageToken: encodePageToken({ query: fingerprint, seq: startSeq, after: last.key }) }
        : {
            nextSyncToken: encodeSyncToken({
              calendar: calendar.email,
              seq: startSeq,
              generation: calendar.syncGeneration,
            }),
          }),
      items: items.map((item) => toWire(item.event)),
    });
  });

  function listEvents(calendar: CalendarState, query: ListQuery): ListedEvent[] {
    if (query.syncToken === undefined) return fullListing(deps.store, calendar, query);
    const token = decodeSyncToken(query.syncToken);
    if (
      token === null ||
      token.calendar !== calendar.email ||
      token.generation !== calendar.syncGeneration ||
      token.seq > deps.store.seq
    ) {
      throw fullSyncRequired();
    }
    return changesSince(deps.store, calendar, token.seq, query.singleEvents);
  }

  router.post('/calendars/:calendarId/events/watch', json, async (req, res) => {
    const calendar = ownCalendar(req, res);
    const body = parse(watchSchema, req.body);
    const refusal = deps.watchRefusal();
    if (refusal?.status === 401) throw webhookUrlUnauthorized(body.address);
    if (refusal?.status === 403) throw forbidden();
    if (!acceptsWebhook(body.address, deps.httpWebhookHosts)) throw webhookUrlNotHttps(body.address);
    const ttlSeconds = Math.min(
      Number(body.params?.ttl ?? DEFAULT_CHANNEL_TTL_SECONDS),
      deps.maxChannelTtlSeconds,
    );
    const apiRoot = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
    const channel = deps.channels.open({
      id: body.id,
      resourceId: calendar.resourceId,
      resourceUri: `${apiRoot}/calendars/${encodeURIComponent(String(req.params.calendarId))}/events?alt=json`,
      address: body.address,
      ...(body.token === undefined ? {} : { token: body.token }),
      expiration: deps.now().getTime() + ttlSeconds * 1000,
      calendarEmail: calendar.email,
    });
    if (deps.syncBeforeWatchAnswer) {
      // Google warns the `sync` message may arrive before the watch answer; here it always does.
      await new Promise<void>((resolve) => {
        void deps.pushSender.send(channel, 'sync', { onFirstAttempt: resolve }).finally(resolve);
      });
    } else {
      const answered = new Promise<void>((resolve) => res.once('close', resolve));
      void deps.pushSender.send(channel, 'sync', { notBefore: answered });
    }
    res.json({
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      ...(channel.token === undefined ? {} : { token: channel.token }),
      expiration: String(channel.expiration),
    });
  });

  router.post('/channels/stop', json, (req, res) => {
    const body = parse(stopSchema, req.body);
    if (!deps.channels.stop(body.id, body.resourceId, requestUser(res)!)) throw notFound();
    res.status(204).end();
  });

  return router;
}

/** Google calls only https callbacks; plain http only for the hosts a test or the offline demo allows. */
function acceptsWebhook(address: string, httpHosts: readonly string[]): boolean {
  if (!URL.canParse(address)) return false;
  const { protocol, hostname } = new URL(address);
  return protocol === 'https:' || (protocol === 'http:' && httpHosts.includes(hostname));
}

function checkCombinations(query: ListQuery): void {
  if (query.syncToken !== undefined) {
    const conflicts = SYNC_TOKEN_CONFLICTS.filter((name) => query[name] !== undefined);
    if (conflicts.length > 0) {
      throw invalidParameter('syncToken', `syncToken cannot be combined with ${conflicts.join(', ')}.`);
    }
  }
  if (query.orderBy === 'startTime' && !query.singleEvents) {
    throw badRequest('badRequest', 'The requested ordering is not available for the particular query.');
  }
  if (query.timeMin !== undefined && query.timeMax !== undefined && query.timeMax <= query.timeMin) {
    throw new GoogleApiError(
      400,
      {
        domain: 'calendar',
        reason: 'timeRangeEmpty',
        message: 'The specified time range is empty.',
        locationType: 'parameter',
        location: 'timeMax',
      },
      'INVALID_ARGUMENT',
    );
  }
}
