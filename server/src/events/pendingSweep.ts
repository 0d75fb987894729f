import { logFailure } from '../db/outageReporter.js';
import type { Sql } from 'postgres';
import type { Deps } from '../deps.js';
import { addJob } from '../queue/addJob.js';
import { reopenRecentOrphans } from './earlyEvents.js';
import { eventsJobKey } from './shards.js';

/** Stored events still pending after this have (very likely) lost their processing job. */
const STRANDED_AFTER_MS = 1_000;
const SWEEP_EVERY_MS = 1_000;

/**
 * Queues a processing job for every shard holding events that waited longer
 * than they should. The webhook queues one shortly after storing
 * (processingScheduler.ts), but its process may die first, and
 * graphile-worker may drop a keyed add_job while a worker is taking the
 * previous job (graphile/worker#580); without this, such events would wait
 * for the next event of their shard, possibly for hours. Harmless when
 * nothing is stranded: a waiting job keeps its run time. Reads the partial
 * "pending" index only.
 */
export async function sweepPendingEvents(sql: Sql): Promise<number> {
  const stranded = await sql<{ shard: number }[]>`
    select distinct shard from message_events
    where state = 'pending' and received_at < now() - make_interval(secs => ${STRANDED_AFTER_MS / 1000})`;
  for (const { shard } of stranded) await addJob(sql, 'events__process', { shard }, { jobKey: eventsJobKey(shard), jobKeyMode: 'preserve_run_at' });
  return stranded.length;
}

/**
 * Runs the sweep every second in a worker process, until stopped. First, once,
 * it hands back the orphans a killed process may have left (earlyEvents.ts);
 * the sweep then has them processed.
 */
export function startPendingSweepLoop(deps: Deps): { stop: () => Promise<void> } {
  let running: Promise<void> | null = reopenRecentOrphans(deps.sql)
    .then((events) => {
      if (events > 0) deps.logger.info({ events }, 'SES events left as orphans by a stopped process handed back for processing');
    })
    .catch((err: unknown) => logFailure(deps, 'worker', err, 'handing back recent orphan SES events failed'))
    .finally(() => (running = null));
  const pass = () => {
    if (running) return;
    running = sweepPendingEvents(deps.sql)
      .then((shards) => {
        if (shards > 0) deps.logger.debug({ shards }, 'queued processing for SES events pending too long');
      })
      .catch((err: unknown) => logFailure(deps, 'worker', err, 'SES event sweep failed'))
      .finally(() => (running = null));
  };
  const timer = setInterval(pass, SWEEP_EVERY_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
