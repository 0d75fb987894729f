import { logFailure } from '../db/outageReporter.js';
import type { Deps } from '../deps.js';
import { recoverSending } from './recovery.js';

/**
 * Runs recovery at worker start and then every half lease, in every worker
 * process: a dead worker's claims and jobs are picked up within about one
 * lease, not after graphile-worker's 4-hour lock. Concurrent passes in
 * several processes are harmless (conditional updates, keyed jobs).
 */
export function startRecoveryLoop(deps: Deps): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  const pass = () => {
    if (running) return; // a slow pass is still going: never two at once in one process
    running = recoverSending(deps)
      .catch((err: unknown) => logFailure(deps, 'worker', err, 'send recovery pass failed'))
      .finally(() => (running = null));
  };
  pass();
  const timer = setInterval(pass, Math.max(1_000, deps.env.sendLeaseMs / 2));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
