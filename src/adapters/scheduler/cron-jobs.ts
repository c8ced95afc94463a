import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron';

import { describeError } from '../../application/errors';
import type { Logger } from '../../application/ports/logger.port';

export interface CronJob {
  name: string;
  /** null: the job is off (an empty expression in the environment). */
  expression: string | null;
  run(context: { periodMs: number }): Promise<unknown>;
}

/** Lease of a tick's claim: longer than any run, so a slow run is never started twice. */
const TICK_LEASE_MS = 10 * 60_000;

/**
 * Schedules the jobs with node-cron's `distributed` option: on every tick exactly one instance (the one that
 * claims the tick in the database) runs the job; a run still going when the next tick comes is not overlapped.
 */
export function scheduleJobs(
  jobs: readonly CronJob[],
  coordinator: RunCoordinator,
  logger: Logger,
): () => Promise<void> {
  const tasks: ScheduledTask[] = [];
  for (const job of jobs) {
    if (job.expression === null) {
      logger.info('job turned off', { job: job.name });
      continue;
    }
    const task = cron.schedule(
      job.expression,
      async (context) => {
        const next = context.task?.getNextRun();
        const periodMs = next ? Math.max(1_000, next.getTime() - Date.now()) : 3_600_000;
        try {
          const result = await job.run({ periodMs });
          logger.info('job ran', { job: job.name, result });
        } catch (error) {
          logger.error('job failed', {
            job: job.name,
            error: describeError(error),
          });
        }
      },
      {
        name: job.name,
        distributed: true,
        runCoordinator: coordinator,
        distributedLease: TICK_LEASE_MS,
        noOverlap: true,
      },
    );
    tasks.push(task);
  }
  return async () => {
    for (const task of tasks) await task.stop();
  };
}
