/**
 * Group commit: items submitted while `maxConcurrent` flushes are already
 * running wait and go together in the next flush (up to `maxBatch`). At a
 * trickle every item is flushed at once, alone; under a flood, one
 * transaction carries hundreds, so commits (and their disk flushes) stop
 * being the limit. Each caller gets its own item's result, or the flush's
 * error.
 */
export function groupCommit<T, R>(
  flush: (items: T[]) => Promise<R[]>,
  opts: { maxBatch: number; maxConcurrent: number },
): (item: T) => Promise<R> {
  type Waiting = { item: T; resolve: (r: R) => void; reject: (err: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;

  const pump = (): void => {
    while (inFlight < opts.maxConcurrent && queue.length > 0) {
      const batch = queue.splice(0, opts.maxBatch);
      inFlight += 1;
      flush(batch.map((w) => w.item))
        .then((results) => batch.forEach((w, i) => w.resolve(results[i] as R)))
        .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
