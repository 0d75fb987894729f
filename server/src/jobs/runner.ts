import { run } from 'graphile-worker';
import type { Deps } from '../services/deps.js';
import { startRecoveryLoop } from '../sending/recoveryLoop.js';
import { graphileLogger } from './graphileLogger.js';
import { buildTaskList, crontab } from './index.js';

export type Worker = { stop: () => Promise<void> };

/**
 * Starts graphile-worker in this process, and the send recovery loop beside
 * it. Signals are left to Herald's own shutdown, which stops HTTP first, then
 * this, then the pools. On stop, running jobs get a few seconds to finish;
 * then their abort signal fires and send jobs release what they have not sent.
 */
export async function startWorker(deps: Deps, databaseUrl: string): Promise<Worker> {
  const runner = await run({
    connectionString: databaseUrl,
    concurrency: deps.env.workerConcurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: buildTaskList(deps),
    crontab,
    logger: graphileLogger(deps.logger),
  });
  const recovery = startRecoveryLoop(deps);
  deps.logger.info({ concurrency: deps.env.workerConcurrency }, 'worker started');
  return {
    stop: async () => {
      await recovery.stop();
      await runner.stop();
    },
  };
}
