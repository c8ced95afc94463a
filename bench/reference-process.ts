import express from 'express';

/**
 * The reference of the webhook bench, in its own process as the service is: an Express 5 app with one POST route
 * (the path in argv) that only answers 200. Prints `listening on <port>`.
 */
const app = express();
app.post(process.argv[2] ?? '/', (_req, res) => {
  res.status(200).end();
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => process.exit(0));
