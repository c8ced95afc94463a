import { Metrics } from '../../../src/adapters/observability/metrics';
import { Signal } from '../../../src/adapters/scheduler/signal';
import { WebhookWorker } from '../../../src/adapters/scheduler/webhook-worker';
import type { WebhookEndpointRepository } from '../../../src/application/ports/webhook-endpoint-repository.port';
import type {
  DeliverWebhooks,
  DeliveryOutcome,
} from '../../../src/application/use-cases/deliver-webhooks.use-case';
import { RecordingLogger } from '../../support/logger';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Endpoints that never have a change due, counting the statements the workers send. */
class CountingEndpoints {
  active = 0;
  claims = 0;
  idleLookups = 0;

  step(): Promise<DeliveryOutcome> {
    this.claims++;
    return Promise.resolve({ outcome: 'idle' });
  }

  idleState(): Promise<{ active: number; nextDueAt: Date | null }> {
    this.idleLookups++;
    return Promise.resolve({ active: this.active, nextDueAt: null });
  }
}

describe('WebhookWorker', () => {
  let endpoints: CountingEndpoints;
  let changes: Signal;
  let added: Signal;
  let worker: WebhookWorker;

  beforeEach(() => {
    endpoints = new CountingEndpoints();
    changes = new Signal();
    added = new Signal();
    worker = new WebhookWorker(
      { step: () => endpoints.step() } as unknown as DeliverWebhooks,
      endpoints as unknown as WebhookEndpointRepository,
      changes,
      added,
      new Metrics(),
      new RecordingLogger(),
      { concurrency: 2, pollMs: 60_000 },
    );
  });
  afterEach(() => worker.stop());

  it('sends nothing when changes commit while no endpoint exists, and looks again once one is added', async () => {
    worker.start();
    await settle();
    expect(endpoints.claims).toBe(2);
    for (let i = 0; i < 20; i++) {
      changes.notify();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settle();
    expect(endpoints.claims).toBe(2);
    expect(endpoints.idleLookups).toBe(2);

    endpoints.active = 1;
    added.notify();
    await settle();
    expect(endpoints.claims).toBe(4);
    // With an endpoint, every commit is worth a look.
    changes.notify();
    await settle();
    expect(endpoints.claims).toBe(6);
  });

  it('does not miss an endpoint added between its look and its sleep', async () => {
    let lookups = 0;
    endpoints.idleState = () => {
      lookups++;
      // The endpoint is stored while the worker reads that there is none.
      if (lookups === 1) added.notify();
      return Promise.resolve({ active: lookups === 1 ? 0 : 1, nextDueAt: null });
    };
    worker.start();
    await settle();
    expect(endpoints.claims).toBeGreaterThanOrEqual(3);
  });
});
