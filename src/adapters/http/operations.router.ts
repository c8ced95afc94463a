import { Router } from 'express';

import { describeError } from '../../application/errors';
import type { DatabaseHealth } from '../../application/ports/database-health.port';
import type { Logger } from '../../application/ports/logger.port';
import type { Metrics } from '../observability/metrics';

const READINESS_TIMEOUT_MS = 2_000;

export function operationsRouter(deps: { health: DatabaseHealth; metrics: Metrics; logger: Logger }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    try {
      await deps.health.check(READINESS_TIMEOUT_MS);
      res.json({ status: 'ready', database: 'up' });
    } catch (error) {
      deps.logger.warn('readiness check failed', {
        error: describeError(error),
      });
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
