import 'reflect-metadata';

import { createPinoLogger } from './adapters/observability/pino-logger';
import { describeError } from './application/errors';
import { ConfigError, loadConfig } from './config';
import { startService } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createPinoLogger(config.logLevel);

  // Signals are handled from the first moment: one that comes while the service starts stops it once started.
  let signalled = false;
  const starting = startService(config, logger);
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn('second signal: exiting at once', { signal });
      process.exit(1);
    }
    signalled = true;
    logger.info('signal received', { signal });
    starting
      .then((service) => service.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error: describeError(error) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await starting;

  if (config.adminApiKeySource === 'derived') {
    // Development only (production requires ADMIN_API_KEY): shown once so the admin API can be tried at once.
    process.stderr.write(
      `\n  Admin API key (development, derived from ${config.dataDir}/secret.key):\n` +
        `  curl -H "Authorization: Bearer ${config.adminApiKey}" ${config.publicUrl}/api/accounts\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
