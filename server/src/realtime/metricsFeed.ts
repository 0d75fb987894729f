/**
 * One campaign's live metrics for the subscribers of one server process.
 * However many browsers watch it, a change costs one read of the counters:
 * reads are serialized and at most one starts per `minIntervalMs`, so a
 * flood of notifications becomes at most 1000/minIntervalMs updates a
 * second; a notification that arrives during or after a read always causes
 * one more read, so the last state is always delivered.
 */
export type FeedSubscriber<T> = { push: (value: T) => void; fail: (err: unknown) => void };

export type MetricsFeed<T> = {
  add: (subscriber: FeedSubscriber<T>) => void;
  /** Returns how many subscribers remain. */
  remove: (subscriber: FeedSubscriber<T>) => number;
  /** Something changed (or a subscriber needs a fresh snapshot): read again, soon. */
  invalidate: () => void;
  stop: () => void;
};

export type FeedOptions<T> = {
  load: () => Promise<T>;
  minIntervalMs: number;
  /** A load failure that ends the feed's subscriptions (e.g. the campaign was deleted). */
  isFatal: (err: unknown) => boolean;
  onError: (err: unknown) => void;
  retryMs?: number;
};

export function createMetricsFeed<T>(opts: FeedOptions<T>): MetricsFeed<T> {
  const subscribers = new Set<FeedSubscriber<T>>();
  let dirty = false;
  let loading = false;
  let stopped = false;
  let lastLoadAt = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  const schedule = (delayMs?: number) => {
    if (stopped || timer || loading) return;
    const wait = delayMs ?? Math.max(0, lastLoadAt + opts.minIntervalMs - performance.now());
    timer = setTimeout(run, wait);
  };

  async function run() {
    timer = null;
    if (stopped) return;
    dirty = false;
    loading = true;
    lastLoadAt = performance.now();
    let retry = false;
    try {
      const value = await opts.load();
      if (!stopped) for (const s of subscribers) s.push(value);
    } catch (err) {
      if (opts.isFatal(err)) {
        for (const s of subscribers) s.fail(err);
      } else {
        opts.onError(err);
        retry = true;
      }
    } finally {
      loading = false;
    }
    if (retry) schedule(opts.retryMs ?? 1000);
    else if (dirty) schedule();
  }

  return {
    add: (s) => void subscribers.add(s),
    remove: (s) => {
      subscribers.delete(s);
      return subscribers.size;
    },
    invalidate: () => {
      dirty = true;
      schedule();
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
