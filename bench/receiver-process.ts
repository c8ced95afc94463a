import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

/**
 * A webhook consumer in a process of its own, as a CRM would be: verifies each delivery with the reference
 * library, answers 204, and writes one line per delivery (`{id, type, title}`) to stdout. Its first line is its
 * URL. The secret comes on stdin as the first line.
 */
let webhook: Webhook | null = null;
process.stdin.setEncoding('utf8');
process.stdin.once('data', (chunk: string) => {
  webhook = new Webhook(chunk.trim());
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      if (webhook === null) throw new Error('no secret yet');
      const payload = webhook.verify(body, {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }) as { type: string; data: { title?: string } };
      res.writeHead(204).end();
      process.stdout.write(
        `${JSON.stringify({ id: req.headers['webhook-id'], type: payload.type, title: payload.data.title ?? null })}\n`,
      );
    } catch (error) {
      res.writeHead(400).end();
      process.stderr.write(`refused a delivery: ${String(error)}\n`);
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
