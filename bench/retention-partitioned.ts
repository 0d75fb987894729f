/**
 * The alternative bench/retention.ts weighs against batched deletes: the same
 * events in a copy partitioned by month of received_at. Builds the copy
 * (rows first, indexes after; payloads left out), then times the lookups Herald makes without
 * a received_at (they must probe every partition) against the plain table,
 * and retention as a partition drop.
 *
 * The copy cannot carry Herald's duplicate check: a unique index on a
 * partitioned table must contain the partition key, so the best it can hold is
 * unique (sns_message_id, received_at), and an SNS redelivery (same
 * MessageId, received later) would be a second row.
 */
import type { Sql } from 'postgres';
import { median, say } from './lib.js';
import type { Keys } from './retention-queries.js';

const MONTH_DAYS = 30;

export async function partitionedComparison(sql: Sql, keys: Keys, runs: number): Promise<void> {
  const t0 = performance.now();
  await sql`drop table if exists message_events_by_month`;
  const [range] = await sql<{ from: string; months: number }[]>`
    select date_trunc('day', min(received_at))::text as from,
      ceil(extract(epoch from (max(received_at) - min(received_at))) / 86400 / ${MONTH_DAYS})::int + 1 as months
    from message_events`;
  await sql`create table message_events_by_month (like message_events including defaults) partition by range (received_at)`;
  for (let m = 0; m < range!.months; m++) {
    await sql.unsafe(`create table message_events_m${m} partition of message_events_by_month for values from
      ('${range!.from}'::timestamptz + interval '${m * MONTH_DAYS} days') to ('${range!.from}'::timestamptz + interval '${(m + 1) * MONTH_DAYS} days')`);
  }
  // Without the payloads (each event's JSON as '{}'), to spare the disk the copy's 19 GB: the lookups compared
  // read no payload, and a denser heap only flatters the copy.
  const columns = await sql<{ name: string }[]>`
    select column_name as name from information_schema.columns where table_name = 'message_events' order by ordinal_position`;
  const list = columns.map((c) => (c.name === 'payload' ? `'{}'::jsonb` : `"${c.name}"`)).join(', ');
  await sql.unsafe(`insert into message_events_by_month select ${list} from message_events`);
  const loaded = performance.now();
  await sql`alter table message_events_by_month add primary key (id, received_at)`;
  await sql`create unique index on message_events_by_month (sns_message_id, received_at)`;
  const defs = await sql<{ def: string }[]>`
    select indexdef as def from pg_indexes where tablename = 'message_events'
    and indexname not in ('message_events_pkey', 'message_events_sns_message_id_unique')`;
  for (const { def } of defs) {
    await sql.unsafe(def.replace(/INDEX (\w+) ON public\.message_events /, 'INDEX $1_bm ON public.message_events_by_month '));
  }
  await sql`vacuum (analyze) message_events_by_month`;
  say(`partitioned copy: ${range!.months} partitions of ${MONTH_DAYS} days; rows copied in ${((loaded - t0) / 1000).toFixed(0)} s, indexes built in ${((performance.now() - loaded) / 1000).toFixed(0)} s`);

  const page = (i: number) => Array.from({ length: 50 }, (_, j) => keys.messageIds[(i * 50 + j) % keys.messageIds.length]!);
  for (const table of ['message_events', 'message_events_by_month']) {
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      await sql`
        select p.id, e.event_type from unnest(${page(i)}::uuid[]) as p(id)
        left join lateral (select me.event_type from ${sql(table)} me where me.message_id = p.id order by me.occurred_at desc, me.received_at desc limit 1) e on true`;
      if (i > 0) times.push(performance.now() - t);
    }
    say(`partitioned copy: recipients page (latest event of 50 messages) on ${table}: median ${median(times).toFixed(2)} ms (${runs} runs)`);
  }
  const [oldest] = await sql<{ rows: number; size: string }[]>`
    select count(*)::int as rows, pg_size_pretty(pg_total_relation_size('message_events_m0')) as size from message_events_m0`;
  const t = performance.now();
  await sql`drop table message_events_m0`;
  say(`partitioned copy: retention as DROP TABLE of the oldest partition (${oldest!.rows.toLocaleString('en')} rows, ${oldest!.size}): ${(performance.now() - t).toFixed(1)} ms`);
  await sql`drop table message_events_by_month`;
}
