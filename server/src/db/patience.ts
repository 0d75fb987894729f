import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from './unavailable.js';

/**
 * Runs `write` until it succeeds, trying again while the database is
 * unreachable (restart, failover, network cut) for up to `patienceMs`. For
 * writes whose loss costs more than waiting: what SES already answered, a
 * claim that must be handed back. Other errors are thrown at once.
 */
export async function writePatiently<T>(write: () => Promise<T>, patienceMs: number): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() >= giveUpAt) throw err;
      await sleep(Math.min(250 * attempt, 2_000));
    }
  }
}
