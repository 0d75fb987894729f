import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger.js';
import { logFailure, type OutageReporter } from '../db/outageReporter.js';
import { addJob } from '../queue/addJob.js';
import { eventsJobKey } from './shards.js';

/**
 * How long a shard's stored events gather before their processing job is
 * queued: long enough for batches, short enough for live metrics (an
 * accepted event should reach a browser within half a second;
 * bench/metrics).
 */
export const JOB_DELAY_MS = 100;

export type ProcessingScheduler = {
  /** Events of these shards were just committed: their job is queued within JOB_DELAY_MS. */
  schedule: (shards: Iterable<number>) => void;
  /** Queues every waiting shard now (shutdown) and waits for the queueing to finish. */
  flush: () => Promise<void>;
};

/**
 * Queues each shard's `events__process` job at most once per window, after
 * the events of the window are committed, as a job that can run at once.
 *
 * Not in the storing transaction, and not as a job delayed by `run_at`, for
 * two reasons measured with bench/webhook and bench/metrics: the job-key
 * upsert inside every storing transaction made concurrent stores wait for
 * each other's commits, and graphile-worker announces a job when it is added,
 * not when it becomes due, so a delayed job waited for a worker's next poll
 * (up to a second), and each extra announcement makes every busy worker look
 * for a job once more.
 *
 * The price: events whose process dies inside the window have no job; the
 * workers' sweep (pendingSweep.ts) queues them within two seconds.
 */
export function createProcessingScheduler(deps: { sql: Sql; logger: Logger; outage: OutageReporter }, delayMs = JOB_DELAY_MS): ProcessingScheduler {
  const waiting = new Map<number, NodeJS.Timeout>();
  const queueing = new Set<Promise<void>>();

  const queue = (shards: number[]) => {
    const done: Promise<void> = Promise.all(
      shards.map((shard) => addJob(deps.sql, 'events__process', { shard }, { jobKey: eventsJobKey(shard), jobKeyMode: 'preserve_run_at' })),
    )
      .then(
        () => undefined,
        (err: unknown) => logFailure(deps, 'webhook', err, 'queueing SES event processing failed; the sweep will queue it', { shards }),
      )
      .finally(() => queueing.delete(done));
    queueing.add(done);
  };

  return {
    schedule(shards) {
      for (const shard of shards) {
        if (waiting.has(shard)) continue;
        waiting.set(
          shard,
          setTimeout(() => {
            waiting.delete(shard);
            queue([shard]);
          }, delayMs),
        );
      }
    },
    async flush() {
      const shards = [...waiting.keys()].sort();
      for (const timer of waiting.values()) clearTimeout(timer);
      waiting.clear();
      if (shards.length > 0) queue(shards);
      await Promise.all(queueing);
    },
  };
}
