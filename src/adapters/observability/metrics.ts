import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Reads for gauges that are computed when scraped (from the database). */
export interface MetricSources {
  queueDepth(): Promise<number>;
  channelsExpiringWithinDay(): Promise<number>;
  webhookQueueDepths(): Promise<{ id: string; pending: number }[]>;
}

/** The service's Prometheus registry; one per process (tests create their own). */
export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources | null = null;

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly pushNotifications = new Counter({
    name: 'push_notifications_total',
    help: 'Google push notifications by resource state and outcome',
    labelNames: ['state', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly syncs = new Counter({
    name: 'calendar_syncs_total',
    help: 'Calendar syncs by kind (full, incremental) and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly syncDuration = new Histogram({
    name: 'calendar_sync_duration_seconds',
    help: 'Duration of calendar syncs',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly pushToVisible = new Histogram({
    name: 'push_to_visible_seconds',
    help: 'From a sync being requested (a push) to its changes being stored',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly googleRetries = new Counter({
    name: 'google_backoffs_total',
    help: 'Google calls retried after a rate limit or server error',
    registers: [this.registry],
  });

  readonly googleRequests = new Counter({
    name: 'google_requests_total',
    help: 'Calendar API calls by call and outcome (ok, rate_limited, google_unavailable, sync_token_expired, ...)',
    labelNames: ['call', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly googleBudgetWait = new Histogram({
    name: 'google_budget_wait_seconds',
    help: 'Time a Calendar API call waited for the shared budget (GOOGLE_REQUESTS_PER_MINUTE and per user)',
    buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed, disabled)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveryLag = new Histogram({
    name: 'webhook_delivery_lag_seconds',
    help: "From a change's commit to the receiver's 2xx",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const source = () => this.sources;
    new Gauge({
      name: 'sync_queue_depth',
      help: 'Calendars waiting for a sync',
      registers: [this.registry],
      async collect() {
        const sources = source();
        if (sources) this.set(await sources.queueDepth());
      },
    });
    new Gauge({
      name: 'channels_expiring_within_24h',
      help: 'Current watch channels (not replaced by a renewal) that expire within 24 hours',
      registers: [this.registry],
      async collect() {
        const sources = source();
        if (sources) this.set(await sources.channelsExpiringWithinDay());
      },
    });
    new Gauge({
      name: 'webhook_queue_depth',
      help: 'Changes not yet delivered, per active webhook endpoint',
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
      async collect() {
        const sources = source();
        if (!sources) return;
        this.reset();
        for (const { id, pending } of await sources.webhookQueueDepths()) this.set({ endpoint: id }, pending);
      },
    });
  }

  setSources(sources: MetricSources): void {
    this.sources = sources;
  }
}
