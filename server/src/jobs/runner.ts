import { run, type Runner } from 'graphile-worker';
import type { Deps } from '../services/deps.js';
import { graphileLogger } from './graphileLogger.js';
import { buildTaskList, crontab } from './index.js';

/**
 * Starts graphile-worker in this process. Signals are left to Herald's own
 * shutdown, which stops HTTP first, then this runner, then the pools.
 */
export async function startWorker(deps: Deps, databaseUrl: string): Promise<Runner> {
  const runner = await run({
    connectionString: databaseUrl,
    concurrency: deps.env.workerConcurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: buildTaskList(deps),
    crontab,
    logger: graphileLogger(deps.logger),
  });
  deps.logger.info({ concurrency: deps.env.workerConcurrency }, 'worker started');
  return runner;
}
