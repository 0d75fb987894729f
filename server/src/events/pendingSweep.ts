import { logFailure } from '../db/outageReporter.js';
import type { Sql } from 'postgres';
import type { Deps } from '../deps.js';
import { addJob } from '../queue/addJob.js';
import { reopenRecentOrphans } from './earlyEvents.js';
import { eventsJobKey } from './shards.js';
import { SHARD_LOCK_NAMESPACE } from './shardOwnership.js';

/** Stored events still pending after this, in a shard that no process drains, need a job. */
const STRANDED_AFTER_MS = 1_000;
/** Events still pending after this get a job even in a drained shard: its drain may be stuck. */
const STUCK_AFTER_MS = 60_000;
const SWEEP_EVERY_MS = 1_000;

/**
 * Queues a processing job for every shard holding events that waited longer
 * than they should: shards that no worker process drains (none is running,
 * or the events were stored under an earlier, larger shard count, see
 * MAX_EVENT_SHARD), and drained shards whose oldest event waited more than
 * a minute. Without it such events would wait for a worker, possibly for
 * hours. Harmless when nothing is stranded: a waiting job keeps its run
 * time, and a job beside a shard's drain takes other rows (skip locked).
 * Reads the partial "pending" index only.
 */
export async function sweepPendingEvents(sql: Sql): Promise<number> {
  const stranded = await sql<{ shard: number }[]>`
    with waiting as (
      select shard, min(received_at) as oldest from message_events
      where state = 'pending' and received_at < now() - make_interval(secs => ${STRANDED_AFTER_MS / 1000})
      group by shard
    ),
    drained as (
      select objid::int as shard from pg_locks
      where locktype = 'advisory' and classid = ${SHARD_LOCK_NAMESPACE}::oid and objsubid = 2 and granted
        and database = (select oid from pg_database where datname = current_database())
    )
    select shard from waiting
    where shard not in (select shard from drained) or oldest < now() - make_interval(secs => ${STUCK_AFTER_MS / 1000})`;
  for (const { shard } of stranded) await addJob(sql, 'events__process', { shard }, { jobKey: eventsJobKey(shard), jobKeyMode: 'preserve_run_at' });
  return stranded.length;
}

/**
 * Runs the sweep every second in a worker process, until stopped. First, once,
 * it hands back the orphans a killed process may have left (earlyEvents.ts):
 * pending again, their shard's drain takes them.
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
