import type { Sql } from 'postgres';
import { inBatch, timeLeft, type Pace } from './batches.js';

/**
 * Deletes the hourly refusal counters of hours that began before `cutoff`.
 * The table holds one row per account, reason and hour, so it stays small
 * (thousands of rows a day at most) and has no index on the hour: each batch
 * finds its rows by a scan and deletes them by their physical address.
 */
export async function purgeWebhookRefusals(sql: Sql, cutoff: Date, pace: Pace): Promise<number> {
  let removed = 0;
  while (timeLeft(pace)) {
    const deleted = await inBatch(sql, pace, 'webhook_refusals', (tx) => tx`
      delete from webhook_refusals
      where ctid = any(array(select ctid from webhook_refusals where hour < ${cutoff.toISOString()}::text::timestamptz limit ${pace.batchSize}))`, (r) => r.count);
    if (!deleted) break;
    removed += deleted.count;
    if (deleted.count < pace.batchSize) break;
  }
  return removed;
}
