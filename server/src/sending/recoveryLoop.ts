import { logFailure } from '../db/outageReporter.js';
import type { Deps } from '../deps.js';
import { reopenRecentOrphans } from '../events/earlyEvents.js';
import { recoverSending } from './recovery.js';

/**
 * Runs recovery at worker start and then every half lease, in every worker
 * process: a dead worker's claims and jobs are picked up within about one
 * lease, not after graphile-worker's 4-hour lock. At start it also hands
 * back the SES events a killed process may have left as orphans. Concurrent passes in
 * several processes are harmless (conditional updates, keyed jobs).
 */
export function startRecoveryLoop(deps: Deps): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  const pass = (work: (deps: Deps) => Promise<void> = recoverSending) => {
    if (running) return; // a slow pass is still going: never two at once in one process
    running = work(deps)
      .catch((err: unknown) => logFailure(deps, 'worker', err, 'send recovery pass failed'))
      .finally(() => (running = null));
  };
  pass(recoverAtStart);
  const timer = setInterval(() => pass(), Math.max(1_000, deps.env.sendLeaseMs / 2));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** The first pass also hands back SES events a killed process left as orphans (events/earlyEvents.ts). */
async function recoverAtStart(deps: Deps): Promise<void> {
  await recoverSending(deps);
  const events = await reopenRecentOrphans(deps.sql);
  if (events > 0) deps.logger.info({ events }, 'SES events left as orphans by a stopped process handed back for processing');
}
