import type { Sql } from 'postgres';
import { inBatch, timeLeft, type Pace } from './batches.js';

/**
 * Deletes SES events Herald received before `cutoff`, oldest first, one AWS
 * account at a time along message_events_account_received_idx
 * (aws_account_id, received_at): the index the health panel already needs,
 * so retention costs no extra index on the busiest insert path.
 *
 * Only the raw events go. What they meant is kept elsewhere and stays: each
 * message's milestone timestamps, status and counts (messages), the
 * campaign counters (campaign_stats), suppressions and contact statuses.
 * Events still `pending` are never deleted (processing has not applied them).
 *
 * Returns the number of rows removed.
 */
export async function purgeMessageEvents(sql: Sql, cutoff: Date, pace: Pace): Promise<number> {
  let removed = 0;
  for (const account of await accountsWithEventsBefore(sql, cutoff)) {
    // Each batch starts where the last one ended: the index entries of the rows just deleted stay until
    // vacuum, and starting from the account's first entry every time would walk over all of them again.
    let floor = '-infinity';
    while (timeLeft(pace)) {
      const result = await inBatch(sql, pace, 'message_events', (tx) => tx<{ n: number; last: string | null }[]>`
        with doomed as (
          select id from message_events
          where aws_account_id = ${account} and received_at >= ${floor}::text::timestamptz and received_at < ${cutoff.toISOString()}::text::timestamptz
            and state <> 'pending'
          order by received_at
          limit ${pace.batchSize}
          -- A row someone else holds is left for the next run rather than waited for.
          for update skip locked
        ), deleted as (
          delete from message_events me using doomed where me.id = doomed.id returning me.received_at
        )
        select count(*)::int as n, max(received_at)::text as last from deleted`, (r) => r[0]?.n ?? 0);
      if (!result) return removed;
      const [batch] = result;
      removed += batch?.n ?? 0;
      if (!batch?.last || batch.n < pace.batchSize) break;
      floor = batch.last;
    }
    if (!timeLeft(pace)) break;
  }
  return removed;
}

/**
 * The accounts that have events received before `cutoff`: a skip scan over
 * the (aws_account_id, received_at) index, one index probe per account rather
 * than a scan of the table.
 */
async function accountsWithEventsBefore(sql: Sql, cutoff: Date): Promise<string[]> {
  const rows = await sql<{ account: string }[]>`
    with recursive accounts(account) as (
      (select aws_account_id from message_events order by aws_account_id limit 1)
      union all
      select (select aws_account_id from message_events m where m.aws_account_id > a.account order by aws_account_id limit 1)
      from accounts a where a.account is not null
    )
    select account from accounts a
    where account is not null
      and exists (select 1 from message_events m where m.aws_account_id = a.account and m.received_at < ${cutoff.toISOString()}::text::timestamptz)`;
  return rows.map((r) => r.account);
}
