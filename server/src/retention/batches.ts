import type { Sql, TransactionSql } from 'postgres';

/**
 * How a purge paces itself. Each batch is its own short transaction, so no
 * lock is held longer than one batch and vacuum can reclaim what went before;
 * the run stops when its time is up (or its worker is stopping) and the next
 * run carries on from where the rows are.
 */
export type Pace = {
  /** Rows (or files' chunks) one transaction deletes at most. */
  batchSize: number;
  /** The run stops starting batches after this time (performance.now() scale). */
  deadline: number;
  /** Set when the worker shuts down: stop between batches. */
  signal?: AbortSignal | undefined;
  /**
   * After each batch, rest this many times as long as the batch took: a rest of 1 leaves the database at least
   * half of the time the purge would take, for live traffic (retention is never urgent; sends and events are).
   */
  rest: number;
  /** Told about every batch: benches time them; the job only counts. */
  onBatch?: ((table: string, rows: number, ms: number) => void) | undefined;
  /** The tables whose batch gave up (a lock, the statement timeout) in this run, with Postgres's reason. */
  gaveUp: { table: string; reason: string }[];
};

/** Whether another batch may start. */
export const timeLeft = (pace: Pace) => performance.now() < pace.deadline && !pace.signal?.aborted;

/**
 * Runs one batch in a transaction that gives up rather than waits: a lock
 * another session holds for more than a moment (a schema change, a long
 * import) makes this batch fail with lock_not_available instead of queueing
 * every later writer behind it, and a batch that somehow runs long is
 * cancelled. Either way nothing of the batch is deleted, the table is noted
 * in `pace.gaveUp`, and null tells the caller to leave the table for the
 * next run (what earlier batches deleted stays deleted and counted).
 */
export async function inBatch<T>(sql: Sql, pace: Pace, table: string, run: (tx: TransactionSql) => Promise<T>, rowsOf: (result: T) => number): Promise<T | null> {
  const started = performance.now();
  let result: T;
  try {
    result = (await sql.begin(async (tx) => {
      await tx`set local lock_timeout = '2s'`;
      await tx`set local statement_timeout = '30s'`;
      return run(tx);
    })) as T;
  } catch (err) {
    if (!isGiveUp(err)) throw err;
    pace.gaveUp.push({ table, reason: (err as Error).message });
    return null;
  }
  const took = performance.now() - started;
  pace.onBatch?.(table, rowsOf(result), took);
  if (pace.rest > 0 && timeLeft(pace)) await new Promise((resolve) => setTimeout(resolve, took * pace.rest));
  return result;
}

/** Postgres gave up on a batch: a lock it would have waited for, or its statement timeout. */
function isGiveUp(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '55P03' || code === '57014';
}

/** The moment `days` days before `now`. */
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
