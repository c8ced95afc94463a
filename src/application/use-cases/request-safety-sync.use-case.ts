import { inject, injectable } from 'inversify';

import type { Logger } from '../ports/logger.port';
import type { SyncQueue } from '../ports/sync-queue.port';
import { TOKENS } from '../ports/tokens';

/**
 * Push is not 100% reliable: every active calendar gets an incremental sync per period anyway, each at its own
 * offset within the period (by its id), so the syncs spread out instead of all starting at once.
 */
@injectable()
export class RequestSafetySync {
  constructor(
    @inject(TOKENS.SyncQueue) private readonly queue: SyncQueue,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async execute(periodMs: number): Promise<{ scheduled: number }> {
    const scheduled = await this.queue.requestAllSpread(periodMs);
    this.logger.info('safety sync scheduled', { calendars: scheduled, overMs: periodMs });
    return { scheduled };
  }
}
