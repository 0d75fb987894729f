import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';

export interface PendingWork {
  /**
   * Runs `job` as tracked work. It gets the signal of the current generation: once that is
   * aborted (cancel), the job should stop; whatever it throws then is not an error.
   */
  run(job: (signal: AbortSignal) => Promise<void>): void;
  /** Resolves after `ms`; rejects as soon as `signal` is aborted, clearing the timer. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Waits for one of `limit` concurrent slots; returns its release (call it exactly once). */
  slot(limit: number, signal: AbortSignal): Promise<() => void>;
  /** Resolves once no job runs (and so none sleeps or waits). */
  idle(): Promise<void>;
  /** Aborts the current generation (timers, waits, requests); later jobs run in a fresh one. */
  cancel(): void;
}

/**
 * Bookkeeping for the simulator's scheduled events, so `idle()` can tell when everything is done
 * and `stop()` / `reset()` can cut everything short: no stray timer or socket keeps a process alive.
 */
export function pendingWork(onError: (err: unknown) => void): PendingWork {
  // Every scheduled event of a generation sleeps on this one signal: hundreds of listeners are expected,
  // not a leak (Node warns past 10).
  const generation = () => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  };
  let controller = generation();
  let running = 0;
  let idleWaiters: Array<() => void> = [];
  let inSlots = 0;
  let limitNow = Infinity;
  const queue: Array<() => void> = [];

  const grantWaiting = () => {
    while (queue.length > 0 && inSlots < limitNow) queue.shift()?.();
  };

  return {
    run(job) {
      const signal = controller.signal;
      running += 1;
      // Deferred a tick, so the caller's synchronous bookkeeping finishes before the job starts.
      void Promise.resolve()
        .then(() => job(signal))
        .catch((err: unknown) => {
          if (!signal.aborted) onError(err);
        })
        .finally(() => {
          running -= 1;
          if (running > 0) return;
          const waiting = idleWaiters;
          idleWaiters = [];
          for (const resolve of waiting) resolve();
        });
    },

    sleep: (ms, signal) => delay(ms, undefined, { signal }),

    slot(limit, signal) {
      limitNow = limit; // the latest setting wins, also for those already queued
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inSlots -= 1;
        grantWaiting();
      };
      if (signal.aborted) return Promise.reject(signal.reason);
      if (inSlots < limit && queue.length === 0) {
        inSlots += 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal.removeEventListener('abort', abandon);
          inSlots += 1;
          resolve(release);
        };
        const abandon = () => {
          const index = queue.indexOf(grant);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', abandon, { once: true });
        queue.push(grant);
      });
    },

    idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),

    cancel() {
      controller.abort();
      controller = generation();
    },
  };
}
