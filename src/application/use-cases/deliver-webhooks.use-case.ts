import { randomUUID } from 'node:crypto';

import { inject, injectable } from 'inversify';

import { describeError } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { TokenCipher } from '../ports/token-cipher.port';
import { TOKENS } from '../ports/tokens';
import type {
  DueDelivery,
  WebhookEndpointRepository,
  WebhookSender,
} from '../ports/webhook-endpoint-repository.port';

export interface WebhookSettings {
  /** The pause after a first failure (CONTRACT.md: the first retry within 10 s); each next one is 6 times longer. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** An endpoint failing this long is disabled (3 days). */
  disableAfterMs: number;
  /**
   * How long a worker holds an endpoint: longer than one delivery (10 s at most), and what a delivery cut short by
   * a crash waits before another instance (or the restarted one) sends it again.
   */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  retryBaseMs: 5_000,
  retryMaxMs: 4 * 3_600_000,
  disableAfterMs: 3 * 86_400_000,
  leaseMs: 30_000,
};

export type DeliveryOutcome =
  { outcome: 'idle' } | { outcome: 'delivered'; lagMs: number } | { outcome: 'failed'; disabled: boolean };

/**
 * One delivery: the endpoint whose head change is due the longest gets that change, signed. A 2xx moves it to the
 * next change; anything else retries the same change after a growing, jittered pause (5 s, 30 s, 3 min, 18 min,
 * ... up to 4 h), so an endpoint receives its changes in order, each until delivered, and a failing endpoint holds
 * only its own queue. Failing for three days disables it.
 */
@injectable()
export class DeliverWebhooks {
  constructor(
    @inject(TOKENS.WebhookEndpointRepository) private readonly endpoints: WebhookEndpointRepository,
    @inject(TOKENS.WebhookSender) private readonly sender: WebhookSender,
    @inject(TOKENS.TokenCipher) private readonly cipher: TokenCipher,
    @inject(TOKENS.WebhookSettings) private readonly settings: WebhookSettings,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async step(): Promise<DeliveryOutcome> {
    const due = await this.endpoints.claimDue(randomUUID(), this.settings.leaseMs);
    if (due === null) return { outcome: 'idle' };
    const attemptId = await this.endpoints.startAttempt(due);
    const secret = this.openSecret(due);
    const result =
      secret === null
        ? { status: null, error: 'The signing secret cannot be decrypted (SECRET_KEY changed?)' }
        : await this.sender.send({ url: due.url, secret }, due.change);
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      await this.endpoints.delivered(due, attemptId, result.status);
      return { outcome: 'delivered', lagMs: this.clock.now().getTime() - due.change.occurredAt.getTime() };
    }
    const error = result.error ?? `HTTP ${result.status}`;
    const now = this.clock.now().getTime();
    const failingFor = now - (due.failingSince ?? this.clock.now()).getTime();
    const disable = failingFor >= this.settings.disableAfterMs;
    await this.endpoints.failed(
      due,
      attemptId,
      { responseStatus: result.status, error },
      disable ? { disable: true } : { retryAt: new Date(now + this.pauseMs(due.attempt)) },
    );
    this.logger.warn(
      disable ? 'webhook endpoint disabled after failing for days' : 'webhook delivery failed',
      {
        endpointId: due.lease.endpointId,
        changeId: due.change.id,
        attempt: due.attempt,
        error,
      },
    );
    return { outcome: 'failed', disabled: disable };
  }

  private openSecret(due: DueDelivery): string | null {
    try {
      return this.cipher.decrypt(due.sealedSecret, due.lease.endpointId);
    } catch (error) {
      this.logger.error('a webhook signing secret cannot be decrypted', {
        endpointId: due.lease.endpointId,
        error: describeError(error),
      });
      return null;
    }
  }

  /** 6^(n-1) times the base, capped, with ±20% jitter so that endpoints failing together do not retry together. */
  private pauseMs(attempt: number): number {
    const ceiling = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 6 ** (attempt - 1));
    return Math.round(ceiling * (0.8 + 0.4 * Math.random()));
  }
}
