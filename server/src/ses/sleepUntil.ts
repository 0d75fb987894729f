import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Sleeps until performance.now() reaches `at`, never less: timers may fire a little early (libuv caches
 * the loop's time), so it sleeps again until the clock says so. Rejects with an AbortError when aborted.
 */
export async function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  for (let left = at - performance.now(); left > 0; left = at - performance.now()) {
    await sleep(Math.ceil(left), undefined, { signal });
  }
}
