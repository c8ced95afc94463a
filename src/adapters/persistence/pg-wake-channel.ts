import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import type { Logger } from '../../application/ports/logger.port';

/** The notification that wakes the sync workers of every instance (sent here, and by the safety sync's requests). */
export const WAKE_CHANNEL = 'calendar_sync_requested';
/** Sent at the commit of a transaction that wrote interaction changes (by the change feed's trigger). */
export const CHANGES_CHANNEL = 'interaction_changes';
/** Sent at the commit of a channel's stop or a connection's change (by triggers): pushes' holds end (PushHolds). */
export const HOLDS_CHANNEL = 'push_holds_void';
const RECONNECT_MS = 1_000;

/**
 * Wakes the workers of every instance at once when another instance stored work for them (LISTEN/NOTIFY on a
 * PostgreSQL server): sync requests, and committed interaction changes. PGlite shares one session between all
 * connections and has a single instance anyway: there the in-process signals are enough, and this is not used.
 */
export class PgWakeChannel {
  private client: Client | null = null;
  private stopped = false;
  private reconnect: NodeJS.Timeout | undefined;
  /** Carried by this instance's own notifications, which it ignores: it wakes its workers itself. */
  private readonly instance = randomUUID();

  constructor(
    private readonly url: string,
    private readonly notifyQuery: (sql: string) => Promise<unknown>,
    /** What to wake for each channel listened to. */
    private readonly handlers: Readonly<Record<string, () => void>>,
    private readonly logger: Logger,
    /** Told whether notifications are heard now: false from a lost connection until it is listening again. */
    private readonly listening: (listening: boolean) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.payload !== this.instance) this.handlers[message.channel]?.();
    });
    client.on('error', (error) => {
      this.logger.warn('wake-up listener lost its connection', { error: error.message });
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      for (const channel of Object.keys(this.handlers)) await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.listening(true);
      // What was stored while we were not listening is picked up by the next poll; wake now for it too.
      for (const wake of Object.values(this.handlers)) wake();
    } catch (error) {
      this.logger.warn('wake-up listener could not connect', { error: (error as Error).message });
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  /** Tells every other instance that sync requests are waiting. */
  notify(): void {
    this.notifyQuery(`NOTIFY ${WAKE_CHANNEL}, '${this.instance}'`).catch((error: unknown) =>
      this.logger.warn('could not notify other instances', { error: (error as Error).message }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listening(false);
    clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private scheduleReconnect(): void {
    this.listening(false);
    if (this.stopped) return;
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => void this.start(), RECONNECT_MS);
  }
}
