import { GoogleSandbox } from './google-sandbox';

/** Runs the sandbox on its own: `node -r @swc-node/register sandbox/main.ts`, then GOOGLE_BASE_URL=<printed URL>. */
const port = Number(process.env.SANDBOX_PORT ?? 4000);
// A demo receiver on this machine has no certificate, so plain http is allowed for loopback callbacks.
const sandbox = new GoogleSandbox({ httpWebhookHosts: ['localhost', '127.0.0.1'] });
sandbox.addUser({ email: 'ada@ourco.com', name: 'Ada Lovelace', timeZone: 'Europe/London' });
sandbox.addUser({ email: 'grace@ourco.com', name: 'Grace Hopper', timeZone: 'America/New_York' });

const server = sandbox.app.listen(port, () => {
  console.log(`Google sandbox on http://localhost:${port} (client id ${sandbox.clientId})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close();
    server.close();
  });
}
