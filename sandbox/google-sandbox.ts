import express, { type Express } from 'express';

import { calendarApiRouter, type WatchRefusal } from './calendar-api.router';
import { ChannelRegistry } from './channels';
import { EventStore } from './event-store';
import { directoryApiRouter } from './directory-api.router';
import { googleErrorHandler, googleNotFoundHandler } from './google-errors';
import { OAuthStore } from './oauth-store';
import { oauthRouter } from './oauth.router';
import { PushSender, type PushRetry } from './push-sender';
import { requestLog } from './request-context';
import {
  DIRECTORY_READONLY_SCOPE,
  ServiceAccounts,
  type ServiceAccountKeyFile,
  type UserState,
} from './service-accounts';
import { Timers } from './timers';
import { type FaultSpec, type Gate, type StormSpec, TrafficControl } from './traffic-control';
import type {
  GoogleEvent,
  PushResult,
  ResponseStatus,
  SandboxChannel,
  SandboxEventInput,
  SandboxRequest,
  SandboxUser,
} from './types';

export type {
  EventAttendee,
  EventDateTime,
  EventPerson,
  EventStatus,
  EventType,
  EventVisibility,
  GoogleEvent,
  PushResult,
  ResourceState,
  ResponseStatus,
  SandboxChannel,
  SandboxEventInput,
  SandboxRequest,
  SandboxUser,
} from './types';
export type { FaultReasonInput, FaultSpec, Gate, StormSpec } from './traffic-control';
export type { FaultReason } from './google-errors';
export type { PushRetry } from './push-sender';
export type { WatchRefusal } from './calendar-api.router';
export type { ServiceAccountKeyFile } from './service-accounts';
export { DIRECTORY_READONLY_SCOPE } from './service-accounts';

/** What the built-in service account's delegation covers unless a test says otherwise. */
const DEFAULT_DELEGATED_SCOPES = [
  'https://www.googleapis.com/auth/calendar.readonly',
  DIRECTORY_READONLY_SCOPE,
];

/** How the token endpoint refuses the OAuth client (a deleted, disabled or mis-typed client). */
export type ClientRefusal = 'invalid_client' | 'unauthorized_client';

export interface SandboxOptions {
  clientId?: string;
  clientSecret?: string;
  now?: () => Date;
  accessTokenTtlSeconds?: number;
  /**
   * How far into the future `singleEvents` expands open-ended series, default 3650 (10 years): Google documents
   * no cap, only `timeMax`.
   */
  expansionHorizonDays?: number;
  pushRetry?: PushRetry;
  /** Google's own limit on a channel's life, default 604800 (7 days); a longer asked ttl is cut to it. */
  maxChannelTtlSeconds?: number;
  /** Hosts (as `URL.hostname` gives them) whose `http:` callbacks `events.watch` accepts, default none. */
  httpWebhookHosts?: string[];
  /**
   * Default true: the `sync` notification is sent, and its first attempt finished, before `events.watch` answers
   * (Google warns it may arrive first). False: it is sent once the answer has gone.
   */
  syncBeforeWatchAnswer?: boolean;
  /**
   * The most users a directory page holds whatever `maxResults` asks, default 500 (Google's maximum): lower, it
   * makes a small directory span several pages.
   */
  directoryPageSize?: number;
}

/**
 * A stand-in for Google: OAuth (consent, token, revoke), the Calendar API v3 subset the service uses, and push
 * notifications, all in memory. Tests drive it through the real `@googleapis/calendar` client and steer it with
 * the methods below.
 */
export class GoogleSandbox {
  readonly app: Express;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: SandboxRequest[] = [];

  private readonly now: () => Date;
  private readonly users = new Map<string, SandboxUser>();
  private readonly store: EventStore;
  private readonly oauth: OAuthStore;
  private readonly channelRegistry: ChannelRegistry;
  private readonly pushSender: PushSender;
  private readonly timers = new Timers();
  private readonly traffic = new TrafficControl(this.timers);
  private consentingUser: string | null = null;
  private consentDenied = false;
  private pushOnChange = false;
  private watchRefusal: WatchRefusal | null = null;
  private calendarApiDisabled = false;
  private readonly grantedScopes = new Map<string, readonly string[]>();
  private clientRefusal: ClientRefusal | null = null;
  private readonly serviceAccounts: ServiceAccounts;
  private builtInKey: ServiceAccountKeyFile | null = null;

  constructor(options: SandboxOptions = {}) {
    this.clientId = options.clientId ?? 'sandbox-client-id';
    this.clientSecret = options.clientSecret ?? 'sandbox-client-secret';
    this.now = options.now ?? (() => new Date());
    const maxChannelTtlSeconds = options.maxChannelTtlSeconds ?? 604_800;
    if (!Number.isInteger(maxChannelTtlSeconds) || maxChannelTtlSeconds < 1) {
      throw new Error('maxChannelTtlSeconds must be a positive whole number of seconds');
    }
    this.store = new EventStore(this.now, options.expansionHorizonDays ?? 3650);
    this.oauth = new OAuthStore(this.now, options.accessTokenTtlSeconds ?? 3599);
    this.channelRegistry = new ChannelRegistry(this.now);
    this.serviceAccounts = new ServiceAccounts(this.now);
    this.pushSender = new PushSender(
      options.pushRetry ?? { attempts: 5, baseDelayMs: 200 },
      this.timers,
      (channel) => this.channelRegistry.isLive(channel),
    );

    this.app = express();
    this.app.disable('x-powered-by');
    this.app.use(requestLog(this.requests));
    this.app.use(this.traffic.middleware);
    this.app.use(
      oauthRouter({
        clientId: this.clientId,
        clientSecret: this.clientSecret,
        store: this.oauth,
        users: () => [...this.users.values()].filter((user) => !user.suspended && !user.deleted),
        consent: () => ({ user: this.consentingUser, deny: this.consentDenied }),
        grantedScopes: (email) => this.grantedScopes.get(email) ?? null,
        refusedClient: () => this.clientRefusal,
        serviceAccounts: this.serviceAccounts,
        userState: (email) => this.userState(email),
      }),
    );
    this.app.use(
      '/admin/directory/v1',
      directoryApiRouter({
        oauth: this.oauth,
        users: () => [...this.users.values()],
        maxPageSize: options.directoryPageSize ?? 500,
      }),
    );
    this.app.use(
      '/calendar/v3',
      calendarApiRouter({
        store: this.store,
        oauth: this.oauth,
        channels: this.channelRegistry,
        pushSender: this.pushSender,
        now: this.now,
        maxChannelTtlSeconds,
        httpWebhookHosts: (options.httpWebhookHosts ?? []).map((host) => host.toLowerCase()),
        syncBeforeWatchAnswer: options.syncBeforeWatchAnswer ?? true,
        watchRefusal: () => this.watchRefusal,
        apiDisabled: () => this.calendarApiDisabled,
      }),
    );
    this.app.use(googleNotFoundHandler);
    this.app.use(googleErrorHandler);
  }

  /** Every push notification sent so far (the `sync` ones included), once its retries are over. */
  get pushResults(): readonly PushResult[] {
    return this.pushSender.results;
  }

  addUser(user: SandboxUser): void {
    this.store.addCalendar(user);
    const email = this.store.calendar(user.email).email;
    this.users.set(email, { ...user, email });
  }

  /** Suspends (or restores) a Workspace user: listed `suspended` in the directory, refused by delegation. */
  suspendUser(email: string, suspended = true): void {
    const user = this.user(email);
    this.users.set(user.email, { ...user, suspended });
    if (suspended) this.signOut(user.email);
  }

  /** Deletes a Workspace user: gone from the directory (but for `showDeleted`), refused everywhere. */
  deleteUser(email: string): void {
    const user = this.user(email);
    this.users.set(user.email, { ...user, deleted: true });
    this.signOut(user.email);
  }

  /**
   * The built-in service account's JSON key, created on first use with domain-wide delegation granted for the
   * Calendar (read) and Directory (users, read) scopes.
   */
  serviceAccountKey(): ServiceAccountKeyFile {
    if (this.builtInKey === null) {
      this.builtInKey = this.serviceAccounts.create('calendar-interactions');
      this.serviceAccounts.delegate(this.builtInKey.client_email, DEFAULT_DELEGATED_SCOPES);
    }
    return this.builtInKey;
  }

  /**
   * Grants the built-in service account's delegation for these scopes, or withdraws it (null), as a Workspace
   * admin does in the Admin console; the token endpoint then answers 401 `unauthorized_client`.
   */
  delegate(scopes: readonly string[] | null = DEFAULT_DELEGATED_SCOPES): void {
    this.serviceAccounts.delegate(this.serviceAccountKey().client_email, scopes);
  }

  /** Deletes the built-in service account's keys (rotated in the console): its assertions no longer verify. */
  deleteServiceAccountKeys(): void {
    this.serviceAccounts.deleteKeys(this.serviceAccountKey().client_email);
  }

  setConsentingUser(email: string | null): void {
    this.consentingUser = email === null ? null : this.store.calendar(email).email;
  }

  denyConsent(deny: boolean): void {
    this.consentDenied = deny;
  }

  /**
   * Granular consent: the user's next consents grant only those of the asked scopes that are in `scopes` (null:
   * all that were asked). The redirect's and the code exchange's `scope` list what was granted.
   */
  setGrantedScopes(email: string, scopes: string[] | null): void {
    const key = this.store.calendar(email).email;
    if (scopes === null) this.grantedScopes.delete(key);
    else this.grantedScopes.set(key, [...scopes]);
  }

  /** While set, every token request (code exchange and refresh) answers 401 with this error. */
  refuseClient(error: ClientRefusal | null): void {
    this.clientRefusal = error;
  }

  revokeGrant(email: string): void {
    this.oauth.revokeGrant(this.store.calendar(email).email);
  }

  /** Accepts a refresh token a previous sandbox issued to this user (for a service restarted offline). */
  restoreGrant(
    email: string,
    refreshToken: string,
    scope = 'https://www.googleapis.com/auth/calendar.readonly',
  ): void {
    this.oauth.restoreGrant(email, refreshToken, scope);
  }

  expireAccessTokens(email?: string): void {
    this.oauth.expireAccessTokens(email === undefined ? undefined : this.store.calendar(email).email);
  }

  insertEvent(calendarEmail: string, event: SandboxEventInput): GoogleEvent {
    return this.insertSharedEvent([calendarEmail], event);
  }

  insertSharedEvent(calendarEmails: string[], event: SandboxEventInput): GoogleEvent {
    const inserted = this.store.insert(calendarEmails, event);
    this.changed(calendarEmails);
    return inserted;
  }

  updateEvent(calendarEmail: string, eventId: string, patch: Partial<SandboxEventInput>): GoogleEvent {
    this.changed(this.store.update(calendarEmail, eventId, patch));
    return this.store.event(calendarEmail, eventId);
  }

  cancelEvent(calendarEmail: string, eventId: string): void {
    this.changed(this.store.cancel(calendarEmail, eventId));
  }

  /**
   * The calendar's owner answers the invitation to an event, an instance or a whole series: every copy gets a new
   * revision with that response and a new `updated`, but the same `sequence`.
   */
  respond(calendarEmail: string, eventId: string, responseStatus: ResponseStatus): void {
    this.changed(this.store.respond(calendarEmail, eventId, responseStatus));
  }

  invalidateSyncTokens(calendarEmail: string): void {
    this.store.invalidateSyncTokens(calendarEmail);
  }

  injectFault(fault: FaultSpec): void {
    this.traffic.inject(fault);
  }

  /** While set, every `events.watch` answers this error and opens no channel. */
  refuseWatch(refusal: WatchRefusal | null): void {
    this.watchRefusal = refusal;
  }

  /** While disabled, every authenticated Calendar API call answers 403 `accessNotConfigured`. */
  disableCalendarApi(disabled: boolean): void {
    this.calendarApiDisabled = disabled;
  }

  /** Random faults and slow answers on the Calendar API until `stopStorm()`; queued faults go first. */
  startStorm(spec: StormSpec): void {
    this.traffic.startStorm(spec);
  }

  stopStorm(): void {
    this.traffic.stopStorm();
  }

  /** Holds the next request whose URL (relative to the sandbox, with its query) matches, until released. */
  hold(pathPattern: RegExp): Gate {
    return this.traffic.hold(pathPattern);
  }

  setLatency(ms: number): void {
    this.traffic.latencyMs = ms;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  channels(calendarEmail?: string): SandboxChannel[] {
    const email = calendarEmail === undefined ? undefined : this.store.calendar(calendarEmail).email;
    return this.channelRegistry
      .live(email)
      .map(({ lastMessageNumber: _lastMessageNumber, ...channel }) => ({ ...channel }));
  }

  push(calendarEmail: string): Promise<PushResult[]> {
    const email = this.store.calendar(calendarEmail).email;
    return Promise.all(
      this.channelRegistry.live(email).map((channel) => this.pushSender.send(channel, 'exists')),
    );
  }

  autoPush(enabled: boolean): void {
    this.pushOnChange = enabled;
  }

  idle(): Promise<void> {
    return this.pushSender.idle();
  }

  /** Cuts latency and retry waits short and aborts notifications in flight. */
  close(): void {
    this.timers.close();
  }

  private user(email: string): SandboxUser {
    const user = this.users.get(this.store.calendar(email).email);
    if (user === undefined) throw new Error(`No sandbox user ${email}`);
    return user;
  }

  /** A suspended or deleted user's grants and tokens stop working, delegated ones included. */
  private signOut(email: string): void {
    this.oauth.revokeGrant(email);
    this.oauth.expireAccessTokens(email);
  }

  private userState(email: string): UserState {
    const user = this.users.get(email.toLowerCase());
    if (user === undefined || user.deleted) return 'unknown';
    return user.suspended ? 'suspended' : 'active';
  }

  private changed(calendarEmails: string[]): void {
    if (!this.pushOnChange) return;
    for (const email of calendarEmails) void this.push(email);
  }
}
