import { Webhook } from 'standardwebhooks';

import { describeError } from '../../application/errors';
import type { InteractionChange } from '../../application/ports/change-feed.port';
import type {
  WebhookSender,
  WebhookSendResult,
} from '../../application/ports/webhook-endpoint-repository.port';

/** CONTRACT.md: a 2xx within 10 s delivers. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Posts a change as `{type, timestamp, data}` with the Standard Webhooks headers, signed by the specification's
 * reference library: `webhook-id` (the change id, the same on every retry), `webhook-timestamp` (this attempt's
 * Unix seconds) and `webhook-signature` (`v1,` + HMAC-SHA256 of `id.timestamp.body`).
 */
export class StandardWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = DELIVERY_TIMEOUT_MS) {}

  async send(
    endpoint: { url: string; secret: string },
    change: InteractionChange,
  ): Promise<WebhookSendResult> {
    const body = JSON.stringify({
      type: change.type,
      timestamp: change.occurredAt.toISOString(),
      data: change.data,
    });
    const now = new Date();
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'calendar-interactions-webhooks',
          'webhook-id': change.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(endpoint.secret).sign(change.id, now, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel();
      return { status: response.status, error: null };
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      return { status: null, error: typeof cause === 'string' ? cause : describeError(error) };
    }
  }
}
