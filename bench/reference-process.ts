import { createServer, type RequestListener } from 'node:http';

import express from 'express';

/**
 * A reference of the webhook bench, in its own process as the service is: an Express 5 app with one POST route
 * (the path in argv) that only answers 200, or with `bare` after the path, Node's HTTP server alone doing the same
 * (the most the service's webhook can answer). Prints `listening on <port>`.
 */
const routePath = process.argv[2] ?? '/';

function expressApp(): RequestListener {
  const app = express();
  app.post(routePath, (_req, res) => {
    res.status(200).end();
  });
  return app;
}

const bare: RequestListener = (req, res) => {
  res.statusCode = req.method === 'POST' && req.url === routePath ? 200 : 404;
  res.end();
};

const server = createServer(process.argv[3] === 'bare' ? bare : expressApp());
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => process.exit(0));
