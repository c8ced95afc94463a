import { describeError } from '../../application/errors';
import type { ChangeNotifications } from '../../application/ports/change-feed.port';
import type { Logger } from '../../application/ports/logger.port';
import type { WebhookEndpointRepository } from '../../application/ports/webhook-endpoint-repository.port';
import type { DeliverWebhooks } from '../../application/use-cases/deliver-webhooks.use-case';
import type { Metrics } from '../observability/metrics';

export interface WebhookWorkerOptions {
  /** Endpoints delivered to at once by this process. */
  concurrency: number;
  /**
   * The longest an idle worker waits before looking again: a change becomes deliverable when the oldest running
   * transaction ends, which may be one that wrote no change and so woke nobody.
   */
  pollMs: number;
}

export const DEFAULT_WEBHOOK_WORKER_OPTIONS: WebhookWorkerOptions = { concurrency: 2, pollMs: 1_000 };

/**
 * Delivers the change feed to the webhook endpoints, on every instance: woken at once when a change commits
 * (in-process, and by LISTEN/NOTIFY from other instances on PostgreSQL), each endpoint claimed by one worker at a
 * time, so that every change reaches every endpoint once, in order, across instances. While no endpoint is active
 * a commit wakes nobody: an endpoint stored here wakes the workers at once, one stored by another instance within
 * `pollMs`.
 */
export class WebhookWorker {
  private loops: Promise<void>[] = [];
  private stopped = true;

  constructor(
    private readonly deliver: DeliverWebhooks,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly notifications: ChangeNotifications,
    /** Notified when this process stores a new endpoint (another instance's is seen within `pollMs`). */
    private readonly endpointsAdded: ChangeNotifications,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: WebhookWorkerOptions = DEFAULT_WEBHOOK_WORKER_OPTIONS,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Stops claiming and waits for the deliveries in progress (10 s at most each). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.notifications.notify();
    this.endpointsAdded.notify();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const epoch = this.notifications.epoch;
      const added = this.endpointsAdded.epoch;
      try {
        const result = await this.deliver.step();
        if (result.outcome === 'delivered') {
          this.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
          this.metrics.webhookDeliveryLag.observe(Math.max(0, result.lagMs) / 1000);
        } else if (result.outcome === 'failed') {
          this.metrics.webhookDeliveries.inc({ outcome: result.disabled ? 'disabled' : 'failed' });
        } else {
          const idle = await this.endpoints.idleState();
          // Without an endpoint a commit has nobody to deliver to: only a new endpoint (or the poll) wakes the
          // worker, so that the writes of a sync are not each followed by the workers' statements.
          if (idle.active === 0) await this.endpointsAdded.wait(this.options.pollMs, added);
          else await this.notifications.wait(this.idleMs(idle.nextDueAt), epoch);
        }
      } catch (error) {
        // The database is unreachable: the changes and positions are stored; try again later.
        this.logger.warn('webhook worker could not deliver', { error: describeError(error) });
        await this.notifications.wait(this.options.pollMs, epoch);
      }
    }
  }

  private idleMs(due: Date | null): number {
    if (due === null) return this.options.pollMs;
    return Math.max(5, Math.min(this.options.pollMs, due.getTime() - Date.now() + 5));
  }
}
