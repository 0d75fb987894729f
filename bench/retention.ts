/**
 * bench/retention: message_events at 10 M rows (issue "Data retention").
 * Seeds a scratch database (bench/retention-seed.ts), then:
 *  1. sizes: the table, its TOAST and every index;
 *  2. hot queries: each statement Herald runs on message_events
 *     (bench/retention-queries.ts), --runs times with varying keys, median and p95;
 *  3. retention: runRetention (server/src/retention) for --budget-s seconds
 *     with the job's batch size, deleting the oldest events, while a writer
 *     stores 500 events every 200 ms and applies them (as the webhook and processing do); rows/s, each batch's transaction time
 *     (the longest a lock is held), the writer's latency before and during, and
 *     how often any session waited for a lock meanwhile;
 *  4. the hot queries again, right after the deletes (dead rows not yet vacuumed);
 *  5. two more short runs (15 s): one at once, one after VACUUM, to see what unvacuumed index entries cost;
 *  6. with --parts …,partitioned: the same rows in a copy partitioned by month (bench/retention-partitioned.ts).
 * Run: `flock /tmp/herald-bench.lock node --import tsx bench/retention.ts --database-url postgres://…/test`
 * Options: --rows 10000000 --days 120 --runs 30 --budget-s 60 --batch 2000 --rest 1 (the job's pause, × each batch's time) --parts queries,retention[,partitioned]; the seeded database
 * (herald_bench_retention) is kept and reused by the next run unless --reseed yes; --drop yes drops it at the end.
 */
import postgres, { type Sql } from 'postgres';
import { migrateDatabase } from '../server/src/db/migrate.js';
import { createLogger } from '../server/src/logging/logger.js';
import { runRetention } from '../server/src/retention/purge.js';
import { benchArgs, loadAverages, machine, median, say, sleep } from './lib.js';
import { hotQueries, sampleKeys, storeAndApply, WRITER_ACCOUNT, type Timed } from './retention-queries.js';
import { partitionedComparison } from './retention-partitioned.js';
import { seedMessageEvents } from './retention-seed.js';

const args = benchArgs({
  rows: { type: 'string', default: '10000000' },
  days: { type: 'string', default: '120' },
  runs: { type: 'string', default: '30' },
  'budget-s': { type: 'string', default: '60' },
  batch: { type: 'string', default: '2000' },
  rest: { type: 'string', default: '1' },
  reseed: { type: 'string', default: 'no' },
  drop: { type: 'string', default: 'no' },
  parts: { type: 'string', default: 'queries,retention' },
});
const parts = new Set(args.parts!.split(','));
const rows = Number(args.rows);
const days = Number(args.days);
const NAME = 'herald_bench_retention';
const url = new URL(args['database-url']!);
url.pathname = `/${NAME}`;
const admin = postgres(args['database-url']!, { max: 1, onnotice: () => {} });
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1);

say(`machine: ${machine()}; ${new Date().toISOString()}; load average ${loadAverages()}`);
const [existing] = await admin`select 1 from pg_database where datname = ${NAME}`;
if (existing && args.reseed === 'yes') await admin`drop database ${admin(NAME)} with (force)`;
if (!existing || args.reseed === 'yes') {
  await admin`create database ${admin(NAME)}`;
  await migrateDatabase(url.toString(), createLogger('warn'));
}
const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
const [{ n: have } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from message_events`;
// A kept database is reused as it is (earlier runs deleted some of it); --reseed yes starts again.
if (have === 0) await seedMessageEvents(sql, rows, days);
const [pg] = await sql<{ v: string }[]>`select version() as v`;
say(`${pg?.v.split(',')[0]}; ${(await sql`select count(*)::int as n from message_events`)[0]?.n.toLocaleString('en')} events`);

await reportSizes(sql);
const keys = await sampleKeys(sql);
const queries = hotQueries(sql, keys);
if (parts.has('queries')) await timeQueries('before retention', queries);
if (parts.has('retention')) {
  const cutoffNow = await retentionUnderLoad(sql, keys.largest);
  await timeQueries('right after the deletes (not vacuumed yet)', queries);
  await retentionAgain(sql, cutoffNow, 'the next run, before vacuum');
  const vacuumStarted = performance.now();
  await sql`vacuum (analyze) message_events`;
  say(`vacuum (analyze) message_events: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  await retentionAgain(sql, cutoffNow, 'the next run, after VACUUM');
  await reportSizes(sql);
}
if (parts.has('partitioned')) await partitionedComparison(sql, keys, Number(args.runs));
await sql.end();
if (args.drop === 'yes') await admin`drop database ${admin(NAME)} with (force)`;
await admin.end();

async function reportSizes(sql: Sql) {
  const [t] = await sql<{ heap: string; toast: string; total: string }[]>`
    select pg_size_pretty(pg_relation_size('message_events')) as heap,
      pg_size_pretty(coalesce(pg_total_relation_size(reltoastrelid), 0)) as toast, pg_size_pretty(pg_total_relation_size('message_events')) as total
    from pg_class where relname = 'message_events'`;
  const ix = await sql<{ name: string; size: string }[]>`
    select indexrelid::regclass::text as name, pg_size_pretty(pg_relation_size(indexrelid)) as size from pg_index
    where indrelid = 'message_events'::regclass order by pg_relation_size(indexrelid) desc`;
  say(`sizes: heap ${t?.heap}, TOAST ${t?.toast}, total with indexes ${t?.total}; indexes: ${ix.map((i) => `${i.name} ${i.size}`).join(', ')}`);
}

async function timeQueries(when: string, queries: Timed[]) {
  for (const q of queries) {
    await q.run(0); // warm-up
    const times: number[] = [];
    for (let i = 1; i <= Number(args.runs); i++) {
      const t = performance.now();
      await q.run(i);
      times.push(performance.now() - t);
    }
    say(`query ${when}: ${q.name}: median ${ms(median(times))} ms, p95 ${ms(p95(times))} ms, max ${ms(Math.max(...times))} ms (${times.length} runs)`);
  }
}

/** A writer storing 500 events every 200 ms and applying them, until `until()`; its latencies. */
async function writer(sql: Sql, until: () => boolean): Promise<number[]> {
  const times: number[] = [];
  while (!until()) {
    const t = performance.now();
    await storeAndApply(sql, WRITER_ACCOUNT);
    times.push(performance.now() - t);
    await sleep(Math.max(0, 200 - (performance.now() - t)));
  }
  return times;
}

/**
 * Another short run with the same clock: how fast batches go when the index still holds the entries of the
 * rows the last run deleted (before vacuum) and once vacuum has removed them.
 */
async function retentionAgain(sql: Sql, now: Date, when: string) {
  const batches: number[] = [];
  const t = performance.now();
  const result = await runRetention(
    { sql, logger: createLogger('warn'), now: () => now },
    {
      settings: { messageEventsDays: 90, webhookRefusalsDays: null, importFilesDays: null },
      batchSize: Number(args.batch),
      budgetMs: 15_000,
      rest: Number(args.rest),
      onBatch: (_table, _rows, took) => batches.push(took),
    },
  );
  const seconds = (performance.now() - t) / 1000;
  const removed = result.messageEvents ?? 0;
  say(`retention, ${when}: ${removed.toLocaleString('en')} events in ${seconds.toFixed(1)} s = ${Math.round(removed / seconds).toLocaleString('en')} rows/s; ` +
    `first batch ${ms(batches[0] ?? 0)} ms, transaction median ${ms(median(batches))} ms, longest ${ms(Math.max(...batches))} ms (${batches.length} batches)`);
}

/** Samples pg_stat_activity until `until()`: how often any session of the database waited for a lock. */
async function lockWaits(sql: Sql, until: () => boolean) {
  const seen = { samples: 0, withWaiters: 0, most: 0, what: '' };
  while (!until()) {
    const rows = await sql<{ q: string }[]>`
      select left(query, 60) as q from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    seen.samples += 1;
    if (rows.length > 0) seen.withWaiters += 1;
    if (rows.length > seen.most) Object.assign(seen, { most: rows.length, what: rows.map((r) => r.q).join(' | ') });
    await sleep(20);
  }
  return seen;
}

async function retentionUnderLoad(sql: Sql, largest: string): Promise<Date> {
  const [oldest] = await sql<{ at: Date }[]>`select min(received_at) as at from message_events`;
  const before = (await sql<{ n: number }[]>`select count(*)::int as n from message_events`)[0]!.n;
  let end = performance.now() + 15_000;
  const idle = await writer(sql, () => performance.now() > end);
  // Keep 90 days relative to a clock set 45 days after the oldest event: 45 days of events are due, more than the budget clears.
  const now = new Date(oldest!.at.getTime() + (90 + 45) * 86_400_000);
  const batches: number[] = [];
  let done = false;
  const during = writer(sql, () => done);
  const waits = lockWaits(sql, () => done);
  const t = performance.now();
  const result = await runRetention(
    { sql, logger: createLogger('warn'), now: () => now },
    {
      settings: { messageEventsDays: 90, webhookRefusalsDays: null, importFilesDays: null },
      batchSize: Number(args.batch),
      budgetMs: Number(args['budget-s']) * 1000,
      rest: Number(args.rest),
      onBatch: (_table, _rows, took) => batches.push(took),
    },
  );
  const seconds = (performance.now() - t) / 1000;
  done = true;
  end = 0;
  const busy = await during;
  const waited = await waits;
  const after = (await sql<{ n: number }[]>`select count(*)::int as n from message_events`)[0]!.n;
  const removed = result.messageEvents ?? 0;
  say(`retention (batch ${args.batch}, rest ${args.rest}): ${removed.toLocaleString('en')} events deleted in ${seconds.toFixed(1)} s = ${Math.round(removed / seconds).toLocaleString('en')} rows/s; ` +
    `${batches.length} batches of ≤ ${args.batch}: transaction median ${ms(median(batches))} ms, p95 ${ms(p95(batches))} ms, longest ${ms(Math.max(...batches))} ms; ` +
    `stopped at the budget: ${result.stoppedEarly}; table ${before.toLocaleString('en')} → ${after.toLocaleString('en')} (the writer added ${((idle.length + busy.length) * 500).toLocaleString('en')})`);
  say(`retention: writer storing 500 events every 200 ms: before ${ms(median(idle))} ms median, p95 ${ms(p95(idle))} ms (${idle.length} batches); ` +
    `during the deletes ${ms(median(busy))} ms median, p95 ${ms(p95(busy))} ms, max ${ms(Math.max(...busy))} ms (${busy.length} batches); load average ${loadAverages()}`);
  say(`retention: sessions waiting for a lock, sampled every 20 ms during the deletes: ${waited.samples} samples, ${waited.withWaiters} with a waiter, most at once ${waited.most}${waited.what ? ` (${waited.what})` : ''}`);
  const plan = await sql<{ 'QUERY PLAN': string }[]>`
    explain select id from message_events where aws_account_id = ${largest} and received_at >= '-infinity' and received_at < ${now.toISOString()}::timestamptz - interval '90 days'
    and state <> 'pending' order by received_at limit ${Number(args.batch)}`;
  say(`retention: batch plan (largest account): ${plan.map((r) => r['QUERY PLAN'].trim()).join(' / ')}`);
  return now;
}
