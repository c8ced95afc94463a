import express, { type Express } from 'express';

import { calendarApiRouter } from './calendar-api.router';
import { ChannelRegistry } from './channels';
import { EventStore } from './event-store';
import { googleErrorHandler, googleNotFoundHandler } from './google-errors';
import { OAuthStore } from './oauth-store';
import { oauthRouter } from './oauth.router';
import { PushSender, type PushRetry } from './push-sender';
import { requestLog } from './request-context';
import { Timers } from './timers';
import { type FaultSpec, type Gate, type StormSpec, TrafficControl } from './traffic-control';
import type {
  GoogleEvent,
  PushResult,
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
  GoogleEvent,
  PushResult,
  ResourceState,
  ResponseStatus,
  SandboxChannel,
  SandboxEventInput,
  SandboxRequest,
  SandboxUser,
} from './types';
export type { FaultSpec, Gate, StormSpec } from './traffic-control';
export type { PushRetry } from './push-sender';

export interface SandboxOptions {
  clientId?: string;
  clientSecret?: string;
  now?: () => Date;
  accessTokenTtlSeconds?: number;
  /** How far into the future `singleEvents` expands open-ended series. */
  expansionHorizonDays?: number;
  pushRetry?: PushRetry;
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

  constructor(options: SandboxOptions = {}) {
    this.clientId = options.clientId ?? 'sandbox-client-id';
    this.clientSecret = options.clientSecret ?? 'sandbox-client-secret';
    this.now = options.now ?? (() => new Date());
    this.store = new EventStore(this.now, options.expansionHorizonDays ?? 365);
    this.oauth = new OAuthStore(this.now, options.accessTokenTtlSeconds ?? 3599);
    this.channelRegistry = new ChannelRegistry(this.now);
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
        users: () => [...this.users.values()],
        consent: () => ({ user: this.consentingUser, deny: this.consentDenied }),
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

  setConsentingUser(email: string | null): void {
    this.consentingUser = email === null ? null : this.store.calendar(email).email;
  }

  denyConsent(deny: boolean): void {
    this.consentDenied = deny;
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

  invalidateSyncTokens(calendarEmail: string): void {
    this.store.invalidateSyncTokens(calendarEmail);
  }

  injectFault(fault: FaultSpec): void {
    this.traffic.inject(fault);
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

  private changed(calendarEmails: string[]): void {
    if (!this.pushOnChange) return;
    for (const email of calendarEmails) void this.push(email);
  }
}
