import type { Sql } from 'postgres';
import { groupCommit } from './groupCommit.js';

/**
 * A statement that serves many callers at once: calls made while
 * `maxConcurrent` runs of `flush` are in flight wait and go together in the
 * next run (events/groupCommit.ts), one per database client. At a trickle a
 * call runs at once, alone; under a flood, one round trip serves dozens of
 * requests. On this kind of machine a round trip over loopback TCP costs
 * more CPU than most of what a request does, so hot paths share them.
 */
export function batchedPerClient<T, R>(flush: (sql: Sql, items: T[]) => Promise<R[]>, opts: { maxBatch: number; maxConcurrent: number }): (sql: Sql, item: T) => Promise<R> {
  const perClient = new WeakMap<Sql, (item: T) => Promise<R>>();
  return (sql, item) => {
    let run = perClient.get(sql);
    if (!run) {
      run = groupCommit((items: T[]) => flush(sql, items), opts);
      perClient.set(sql, run);
    }
    return run(item);
  };
}
