import { run } from 'graphile-worker';
import type { Deps } from '../deps.js';
import { startEventDrain } from '../events/eventDrain.js';
import { startPendingSweepLoop } from '../events/pendingSweep.js';
import { startRecoveryLoop } from '../sending/recoveryLoop.js';
import { graphileLogger } from '../logging/graphileLogger.js';
import { buildTaskList, crontab } from './index.js';
import { createWorkerPool } from './workerPool.js';

export type Worker = { stop: () => Promise<void> };

/** Transactional emails (and scheduled starts) in flight per process; each mostly waits for its rate slot and SES. */
const PRIORITY_CONCURRENCY = 8;

/**
 * Connections of each graphile-worker runner: one stays on LISTEN, the rest
 * fetch and complete jobs, each for a moment (tasks do their work on
 * deps.sql, never on the runner's pool). A pool per slot held idle
 * connections that, with several worker processes, ran Postgres out of them.
 */
const RUNNER_POOL_MAX = 4;

/**
 * Starts graphile-worker in this process, and beside it the send recovery
 * loop, the drain of the SES event shards this process owns, and the sweep
 * for events no drain takes. Signals
 * are left to Herald's own shutdown, which stops HTTP first, then this, then
 * the pools. On stop, running jobs get a few seconds to finish;
 * then their abort signal fires and send jobs release what they have not sent.
 */
export async function startWorker(deps: Deps, databaseUrl: string): Promise<Worker> {
  // Our own pool, so stop() can wait until its connections are closed: graphile-worker ends a pool it
  // made without waiting, and a database dropped or stopped right after would kill them mid-goodbye.
  const pgPool = createWorkerPool(deps, databaseUrl, RUNNER_POOL_MAX);
  const runner = await run({
    pgPool,
    concurrency: deps.env.workerConcurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: buildTaskList(deps, 'bulk'),
    crontab,
    logger: graphileLogger(deps.logger, deps.outage),
  });
  // A second runner with its own slots and connections: transactional emails and scheduled starts never wait behind campaign lanes.
  const priorityPool = createWorkerPool(deps, databaseUrl, RUNNER_POOL_MAX);
  const priority = await run({
    pgPool: priorityPool,
    concurrency: PRIORITY_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    // Every job added anywhere is announced to every runner, and each announcement sends an idle slot to look for a
    // job: here nearly always for nothing, as few jobs are priority ones. A local queue fetches for all slots at once,
    // and after a fetch that found nothing waits ~100 ms before the next (with 3 worker processes: 42 % fewer job
    // queries per process; docs/benchmarks.md). Not for the bulk runner: it would hold up to its size of 10 s lane
    // slices locked in one process while another idles.
    preset: { worker: { localQueue: { size: PRIORITY_CONCURRENCY, refetchDelay: { durationMs: 100 } } } },
    taskList: buildTaskList(deps, 'priority'),
    logger: graphileLogger(deps.logger, deps.outage),
  });
  const unwatchPools = [
    deps.metrics.database.watchPool('worker_bulk', pgPool, RUNNER_POOL_MAX),
    deps.metrics.database.watchPool('worker_priority', priorityPool, RUNNER_POOL_MAX),
  ];
  const recovery = startRecoveryLoop(deps);
  const sweep = startPendingSweepLoop(deps);
  const drain = startEventDrain(deps, databaseUrl);
  deps.logger.info({ concurrency: deps.env.workerConcurrency }, 'worker started');
  return {
    stop: async () => {
      await recovery.stop();
      await sweep.stop();
      await drain.stop();
      await priority.stop();
      await runner.stop();
      for (const unwatch of unwatchPools) unwatch();
      await priorityPool.end();
      await pgPool.end();
    },
  };
}
