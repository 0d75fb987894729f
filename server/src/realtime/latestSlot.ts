/**
 * A subscriber's mailbox that keeps only the newest value: a slow client
 * skips intermediate states instead of queueing them, and still ends with
 * the latest one.
 */
export type LatestSlot<T> = {
  push: (value: T) => void;
  fail: (err: unknown) => void;
  /** The newest value not yet taken; waits for one. Null once the signal aborts or the slot is closed. */
  take: (signal: AbortSignal) => Promise<T | null>;
  close: () => void;
};

export function createLatestSlot<T>(): LatestSlot<T> {
  let value: { v: T } | null = null;
  let error: { e: unknown } | null = null;
  let closed = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push: (v) => {
      value = { v };
      notify();
    },
    fail: (e) => {
      error = { e };
      notify();
    },
    close: () => {
      closed = true;
      notify();
    },
    async take(signal) {
      for (;;) {
        if (error) throw error.e;
        if (closed || signal.aborted) return null;
        if (value) {
          const { v } = value;
          value = null;
          return v;
        }
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          signal.addEventListener('abort', onAbort, { once: true });
          wake = () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
        });
      }
    },
  };
}
