import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The parsed body: `{type, timestamp, data}`. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the receiver answered. */
  status: number;
  receivedAt: number;
}

/** A webhook consumer for tests: records every request, answers `status()` (200 unless told otherwise). */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The deliveries it answered with a 2xx, in order. */
  accepted(): ReceivedWebhook[];
  answer(status: number): void;
  /** Answers every request that much later (a slow receiver). */
  delay(ms: number): void;
  /** Verifies every accepted delivery's signature with the reference library; throws on the first bad one. */
  verifyAll(secret: string): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  let delayMs = 0;
  const app = express();
  app.post('/hooks', express.text({ type: () => true }), async (req, res) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const body = typeof req.body === 'string' ? req.body : '';
    received.push({
      id: req.get('webhook-id') ?? '',
      timestamp: req.get('webhook-timestamp') ?? '',
      signature: req.get('webhook-signature') ?? '',
      body,
      payload: JSON.parse(body) as ReceivedWebhook['payload'],
      status,
      receivedAt: Date.now(),
    });
    res.status(status).end();
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    accepted: () => received.filter((delivery) => delivery.status >= 200 && delivery.status < 300),
    answer: (next) => (status = next),
    delay: (ms) => (delayMs = ms),
    verifyAll(secret) {
      const webhook = new Webhook(secret);
      for (const delivery of received) {
        webhook.verify(delivery.body, {
          'webhook-id': delivery.id,
          'webhook-timestamp': delivery.timestamp,
          'webhook-signature': delivery.signature,
        });
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
