/**
 * bench/metrics: live campaign metrics (issue goals: `campaigns.metrics` on a
 * 1,000,000-message campaign in ≤ 10 ms; an event accepted at the webhook
 * reaches a subscriber within 500 ms (p95) while 1,000 events/s flow in; 500
 * concurrent subscribers on one server process without falling behind).
 *
 * Herald runs as it is deployed, from server/src with tsx: `api` (main.ts,
 * WORKER=off) takes the webhook and the queries, `watch` (another main.ts,
 * WORKER=off) serves the subscribers, and `worker.ts` applies the events, all
 * on one fresh database; LOG_LEVEL=info by default, as in production, to
 * files. SNS_CERT_URL_ALLOW names a certificate host in this process serving
 * the test signing certificate (server/test/fixtures/sns/). The tenant signs
 * up and connects a SES-simulator account over HTTP (its aws_account_id is
 * set and it is connected). Three parts (--parts):
 *
 *  - `read`: a campaign whose 1,000,000 messages (no contacts: contact_id is
 *    nullable) are written in SQL the way the pipeline writes them, so that
 *    the triggers of migration 0010 keep the counters: the fan-out insert as
 *    `queued` in chunks of 50,000 (one connection, as sending/fanOut.ts), then
 *    UPDATE waves over 20 id ranges on 4 connections at once (so the counters
 *    hold several shards, `pg_backend_pid() % 8`): all sent (spread over an
 *    hour), 97 % delivered, 2 % bounced (1.2 % Permanent, 0.8 % Transient),
 *    30 % opened (over two days), 7.8 % clicked, 0.05 % complained, statuses
 *    by message_status_by_milestones(); then VACUUM ANALYZE. Each wave's time
 *    is reported. Then, in --read-rounds rounds: `campaignMetrics(deps,
 *    tenantId, id)` called in this process (a postgres.js pool like the
 *    server's) and `GET /trpc/campaigns.metrics?input=…` with the session
 *    cookie over a keep-alive connection, --read-calls each after
 *    --read-warmup; the baseline, the scan the counters replace (the campaign
 *    row, then `status, count(*) … group by status` and the milestone counts
 *    with FILTER, both at once as the service runs its two reads),
 *    --scan-calls times; and two HTTP floors on the same connection: `GET
 *    /healthz` and `auth.me` (tRPC and the session lookup, nothing else).
 *    Median, p95, max per round; the ratio of medians.
 *    The scan's answer must equal the counters'. With --write-baseline on,
 *    the same writes for a second 1,000,000-message campaign with the two
 *    counter triggers disabled (ALTER TABLE … DISABLE TRIGGER; nothing else
 *    writes messages meanwhile): the triggers' share of the write cost. That
 *    campaign stays in the table (after the reads, so they do not see it).
 *  - `live` and `many`: per run, a campaign of rate × seconds messages
 *    inserted as `sent` with SES message ids, one signed Delivery
 *    notification per message (signed beforehand by two client processes,
 *    bench/metrics-client.ts). --subscribers-live (1) or --subscribers (500)
 *    subscriptions to `campaigns.onMetrics` on `watch`, opened as a browser
 *    does (tRPC httpSubscriptionLink over the `eventsource` package, with the
 *    cookie; or, with --subscriber-client plain, one node:http GET each with a
 *    line parser) from --subscriber-processes client processes, each waits for
 *    its snapshot; then one client process POSTs the notifications to `api` at a
 *    steady --rate per second (request i is due at start + i/rate, whatever
 *    the answers do) until all are sent. Latency of the i-th accepted event =
 *    the arrival of the first update showing delivered ≥ i (counts only grow)
 *    minus the time the i-th 200 came back (accept times sorted), per
 *    subscriber: p50/p95/p99/max (`many`: over all subscribers' events
 *    pooled, and the spread of per-subscriber p95s). Updates per second a
 *    subscriber received (first accept → its last update; the most in any
 *    sliding second and the shortest gap between two). Checks: every
 *    notification got a 200, every subscriber ended on the final state (its
 *    last event id = the digest of campaignMetrics() after the drain: ids are
 *    digests of the state) without errors or reconnects, updates never went
 *    back. To tell where the time goes: the latency to whichever subscriber
 *    got each state first and the first → last subscriber spread of each
 *    state; from the database, accepted → processing started
 *    (message_events.received_at → processed_at) and, per processing batch,
 *    its start minus its first event's arrival minus the job delay (JOB_DELAY_MS)
 *    (waiting for a worker to poll). CPU seconds of api, watch, worker,
 *    Postgres backends and the clients from /proc over the run (first request
 *    → last subscriber caught up), the machine's busy share, and watch's peak
 *    RSS (VmHWM, reset through /proc/<pid>/clear_refs before each run where
 *    allowed). Each part first does an uncounted run of --warm-seconds (cold JIT).
 *
 * Run: `npm run bench:metrics`, or `node --import tsx bench/metrics.ts [--database-url postgres://…/test]`
 * (no URL: DATABASE_URL, else an embedded Postgres in a temporary directory).
 * Options: --parts read,live,many --messages 1000000 --chunk 50000 --update-connections 4
 * --read-rounds 3 --read-calls 200 --read-warmup 20 --scan-calls 20 --write-baseline on
 * --rate 1000 --seconds 20 --runs 3 --warm-seconds 3 --subscribers-live 1 --subscribers 500
 * --subscriber-processes 2 --subscriber-client trpc|plain --log-level info --profile-dir DIR (V8 CPU profiles of api, watch and worker)
 * --jit default|off (off: `ALTER DATABASE … SET jit = off` on the scratch database, to compare).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres, { type Sql } from 'postgres';
import { metricsEventId } from '../server/src/realtime/metricsStream.js';
import { campaignMetrics, type CampaignMetrics } from '../server/src/services/campaigns/metrics.js';
import { JOB_DELAY_MS } from '../server/src/events/processingScheduler.js';
import { fixture, freePort, heraldMail, scratchDatabase, type ScratchDatabase, readyTenant, SNS_KEY_PEM, startCertHost, startClient, startNode, tail, type Client as HarnessClient, type Proc, type Tenant } from './harness.js';
import { machine, median, trpc } from './lib.js';
import type { ClientJob, FinishResult, FireResult, SignItem, SignResult, SubscribeResult, SubscriberClient } from './metrics-client.js';
import { backendCpuSeconds, cpuSeconds, machineTicks, peakRssMb, startSimulatorProcess } from './send-procs.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: '' },
    parts: { type: 'string', default: 'read,live,many' },
    messages: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '50000' },
    'update-connections': { type: 'string', default: '4' },
    'read-rounds': { type: 'string', default: '3' },
    'read-calls': { type: 'string', default: '200' },
    'read-warmup': { type: 'string', default: '20' },
    'scan-calls': { type: 'string', default: '20' },
    'write-baseline': { type: 'string', default: 'on' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    'warm-seconds': { type: 'string', default: '3' },
    'subscribers-live': { type: 'string', default: '1' },
    subscribers: { type: 'string', default: '500' },
    'subscriber-processes': { type: 'string', default: '2' },
    'subscriber-client': { type: 'string', default: 'trpc' },
    'log-level': { type: 'string', default: 'info' },
    jit: { type: 'string', default: 'default' },
    'profile-dir': { type: 'string', default: '' },
  },
});
const parts = new Set(args.parts.split(',').filter(Boolean));
const messageCount = Number(args.messages);
const chunk = Number(args.chunk);
const updateConnections = Number(args['update-connections']);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const runs = Number(args.runs);
const subscriberProcesses = Number(args['subscriber-processes']);
const subscriberClient = args['subscriber-client'] as SubscriberClient;
if (subscriberClient !== 'trpc' && subscriberClient !== 'plain') throw new Error('--subscriber-client is trpc or plain');
const nodeArgs = args['profile-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['profile-dir'])}`] : [];
const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-metrics-'));
const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;

/** Nearest-rank percentile of an ascending array. */
const pct = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
type Dist = { p50: number; p95: number; p99: number; max: number; n: number };
const dist = (xs: ArrayLike<number>): Dist => {
  const s = Float64Array.from(xs).sort();
  return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.length ? s[s.length - 1]! : NaN, n: s.length };
};
const ms = (x: number, digits = 1) => x.toFixed(digits);
const showDist = (d: Dist, digits = 1) => `p50 ${ms(d.p50, digits)} / p95 ${ms(d.p95, digits)} / p99 ${ms(d.p99, digits)} / max ${ms(d.max, digits)} ms`;
const fmt = (xs: number[], digits = 1) => `${median(xs).toFixed(digits)} median [${xs.map((x) => x.toFixed(digits)).join(', ')}]`;

// --- processes (bench/harness.ts) ---

type Client = HarnessClient<ClientJob>;
const startMetricsClient = () => startClient<ClientJob>('bench/metrics-client.ts');
const startHeraldNode = (script: string, env: Record<string, string>, name: string) => startNode(script, env, { log: path.join(tmp, `${name}.log`), nodeArgs });

type Herald = { apiUrl: string; watchUrl: string; api: Proc; watch: Proc; worker: Proc; stop: () => Promise<void> };

/** `api` and `watch` (main.ts, WORKER=off) and `worker` (worker.ts), ready once both answer /readyz and the worker listens for jobs. */
async function startHerald(databaseUrl: string, sql: Sql, sesEndpoint: string, allowPrefix: string): Promise<Herald> {
  const env = {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    SES_ENDPOINT: sesEndpoint,
    SES_SIMULATOR: 'off',
    SNS_CERT_URL_ALLOW: allowPrefix,
    ENCRYPTION_KEYS: encryptionKeys,
    LOG_LEVEL: args['log-level'],
    WEB_DIST: '/nonexistent',
  };
  const [apiPort, watchPort] = [await freePort(), await freePort()];
  const api = startHeraldNode('server/src/main.ts', { ...env, PORT: String(apiPort), WORKER: 'off' }, 'api');
  const watch = startHeraldNode('server/src/main.ts', { ...env, PORT: String(watchPort), WORKER: 'off' }, 'watch');
  const worker = startHeraldNode('server/src/worker.ts', env, 'worker');
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const watchUrl = `http://127.0.0.1:${watchPort}`;
  const database = new URL(databaseUrl).pathname.slice(1);
  const ready = (url: string) => fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  for (let i = 0; ; i++) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${database} and query like 'LISTEN "jobs:insert"%'`;
    if ((await ready(apiUrl)) && (await ready(watchUrl)) && row!.n >= 1) break;
    const dead = [api, watch, worker].find((p) => p.child.exitCode !== null);
    if (dead || i > 600) throw new Error(`Herald did not start:\n${tail((dead ?? api).log)}`);
    await sleep(100);
  }
  return {
    apiUrl,
    watchUrl,
    api,
    watch,
    worker,
    stop: async () => void (await Promise.all([api.stop(), watch.stop(), worker.stop()])),
  };
}

/** Resets a process's peak RSS (VmHWM) to its current RSS; false where /proc does not allow it. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

// --- the tenant ---


async function createCampaign(url: string, tenant: Tenant, name: string): Promise<string> {
  const { id } = await trpc<{ id: string }>(
    url,
    tenant.cookie,
    'campaigns.create',
    { name, channel: 'email', subject: 'Autumn news', fromEmail: 'news@sender.test', fromName: 'Sender News', html: '<p>Hi</p>', listId: tenant.listId },
    'mutation',
  );
  return id;
}

const markSent = (sql: Sql, campaignId: string) =>
  sql`update campaigns set status = 'sent', started_at = now() - interval '3 days', sent_at = now() - interval '2 days' where id = ${campaignId}`;

// --- part `read`: a 1,000,000-message campaign ---

/** The hash that picks each message's fate and times, and its parts. */
const H = `(hashtext(id::text) & 2147483647)`;
const fate = `(${H} % 10000)`;
const spread = (mod: number) => `((${H} / 10000) % ${mod})`;
const MILESTONE_COLUMNS = ['sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'bounced_at', 'complained_at', 'rejected_at'] as const;
/** The status after setting `column` to `value`, as applyEffects computes it. */
const statusWith = (column: (typeof MILESTONE_COLUMNS)[number], value: string) =>
  `message_status_by_milestones(status, ${MILESTONE_COLUMNS.map((c) => (c === column ? value : c)).join(', ')})`;
const milestone = (column: (typeof MILESTONE_COLUMNS)[number], value: string, extra = '') => `${column} = ${value}, status = ${statusWith(column, value)}${extra ? `, ${extra}` : ''}`;

/** The UPDATE waves after the fan-out, each over every id range; $4 is the campaign's base time. */
const WAVES: { name: string; set: string; where: string }[] = [
  {
    name: 'sent (100 %, over an hour)',
    set: `status = 'sent', sending_at = $4::timestamptz + ${spread(3600)} * interval '1 second', sent_at = $4::timestamptz + ${spread(3600)} * interval '1 second', provider_message_id = '0100019' || md5(id::text) || '-000000', updated_at = now()`,
    where: 'true',
  },
  { name: 'delivered (97 %)', set: milestone('delivered_at', `sent_at + (1 + ${spread(30)}) * interval '1 second'`), where: `${fate} >= 300` },
  {
    name: 'bounced (2 %: 1.2 % Permanent, 0.8 % Transient)',
    set: milestone('bounced_at', `sent_at + (1 + ${spread(60)}) * interval '1 second'`, `bounce_type = case when ${fate} < 120 then 'Permanent' else 'Transient' end`),
    where: `${fate} < 200`,
  },
  { name: 'opened (30 %, over two days)', set: milestone('opened_at', `delivered_at + ${spread(172800)} * interval '1 second'`, `open_count = 1 + ${spread(3)}`), where: `${fate} >= 300 and ${fate} % 100 < 31` },
  { name: 'clicked (7.8 %)', set: milestone('clicked_at', `opened_at + ${spread(600)} * interval '1 second'`, 'click_count = 1'), where: `${fate} >= 300 and ${fate} % 100 < 8` },
  { name: 'complained (0.05 %)', set: milestone('complained_at', `delivered_at + interval '5 hours'`), where: `${fate} >= 300 and ${fate} % 2000 = 1999` },
];

/**
 * `parts` half-open id ranges covering the uuid space (ids are random, so each holds about as many
 * messages). The last ends at ffffffff-…, which gen_random_uuid() never makes (its version digit is 4).
 */
function idRanges(parts: number): [string, string][] {
  const bound = (i: number) => (i >= parts ? 'ffffffff-ffff-ffff-ffff-ffffffffffff' : `${Math.floor((i * 0x100000000) / parts).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`);
  return Array.from({ length: parts }, (_, i) => [bound(i), bound(i + 1)]);
}

type Phase = { name: string; ms: number; rows: number };

/**
 * `n` single-connection clients whose backends fall on different counter shards (the triggers use
 * `pg_backend_pid() % 8`), so the counters end up spread over `n` shards, as several senders and
 * processing jobs leave them.
 */
async function shardLanes(databaseUrl: string, n: number): Promise<{ lanes: Sql[]; shards: number[]; end: () => Promise<void> }> {
  const lanes: Sql[] = [];
  const shards: number[] = [];
  const spare: Sql[] = [];
  for (let tries = 0; lanes.length < n && tries < 64; tries++) {
    const lane = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await lane<{ shard: number }[]>`select pg_backend_pid() % 8 as shard`;
    // A colliding one stays open until the end, so that the next connection gets another backend.
    if (shards.includes(row!.shard)) spare.push(lane);
    else {
      lanes.push(lane);
      shards.push(row!.shard);
    }
  }
  await Promise.all(spare.map((l) => l.end()));
  return { lanes, shards, end: async () => void (await Promise.all(lanes.map((l) => l.end()))) };
}

/** Writes the campaign's messages: fan-out insert in chunks (one connection), then the waves over id ranges on all lanes at once. */
async function writeMessages(lanes: Sql[], tenantId: string, campaignId: string, count: number): Promise<Phase[]> {
  const phases: Phase[] = [];
  const sql = lanes[0]!;
  let started = performance.now();
  for (let first = 1; first <= count; first += chunk) {
    const last = Math.min(count, first + chunk - 1);
    await sql`
      insert into messages (tenant_id, campaign_id, to_address, status)
      select ${tenantId}, ${campaignId}, 'r' || i || '@inbox.test', 'queued' from generate_series(${first}::int, ${last}::int) i`;
  }
  phases.push({ name: `fan-out insert (queued, ${chunk.toLocaleString('en')} per statement)`, ms: performance.now() - started, rows: count });
  // What autovacuum would soon do after a million inserts; without it the waves are planned on an empty table's statistics.
  await sql`analyze messages`;
  const ranges = idRanges(Math.max(1, Math.ceil(count / chunk)));
  const [base] = await sql<{ at: string }[]>`select (now() - interval '3 days')::text as at`;
  for (const wave of WAVES) {
    started = performance.now();
    let next = 0;
    let rows = 0;
    const text = `update messages set ${wave.set} where campaign_id = $1 and id >= $2::uuid and id < $3::uuid and ${wave.where}`;
    const work = async (lane: Sql) => {
      for (let i = next++; i < ranges.length; i = next++) {
        const [lo, hi] = ranges[i]!;
        const { count: updated } = await lane.unsafe(text, text.includes('$4') ? [campaignId, lo, hi, base!.at] : [campaignId, lo, hi]);
        rows += updated;
      }
    };
    await Promise.all(lanes.map(work));
    phases.push({ name: wave.name, ms: performance.now() - started, rows });
  }
  return phases;
}

type ScanCounts = { statuses: Record<string, number>; milestones: Record<string, number> };

/** The baseline: what the counters replace, read from messages (the campaign row, then both scans at once). */
async function scanMetrics(sql: Sql, tenantId: string, campaignId: string): Promise<ScanCounts> {
  const [campaign] = await sql`select status, paused_reason from campaigns where id = ${campaignId} and tenant_id = ${tenantId}`;
  if (!campaign) throw new Error('no campaign');
  const [statusRows, [m]] = await Promise.all([
    sql<{ status: string; n: number }[]>`select status, count(*)::float8 as n from messages where campaign_id = ${campaignId} and tenant_id = ${tenantId} group by status`,
    sql<Record<string, number>[]>`
      select count(*) filter (where sent_at is not null)::float8 as sent,
        count(*) filter (where coalesce(delivered_at, opened_at, clicked_at) is not null)::float8 as delivered,
        count(*) filter (where coalesce(opened_at, clicked_at) is not null)::float8 as opened,
        count(*) filter (where clicked_at is not null)::float8 as clicked,
        count(*) filter (where bounced_at is not null and bounce_type = 'Permanent')::float8 as "bouncedHard",
        count(*) filter (where bounced_at is not null and bounce_type is distinct from 'Permanent')::float8 as "bouncedSoft",
        count(*) filter (where complained_at is not null)::float8 as complained
      from messages where campaign_id = ${campaignId} and tenant_id = ${tenantId}`,
  ]);
  return { statuses: Object.fromEntries(statusRows.map((r) => [r.status, r.n])), milestones: { ...m! } };
}

async function timed(calls: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

async function readPart(sql: Sql, databaseUrl: string, herald: Herald, tenant: Tenant): Promise<Record<string, unknown>> {
  const writer = await shardLanes(databaseUrl, updateConnections);
  say(
    `read: writing a campaign of ${messageCount.toLocaleString('en')} messages (triggers on; updates over ${writer.lanes.length} connections, ` +
      `counter shards ${writer.shards.join(', ')}); load average ${load()}`,
  );
  const campaignId = await createCampaign(herald.apiUrl, tenant, 'metrics read');
  const phases = await writeMessages(writer.lanes, tenant.tenantId, campaignId, messageCount);
  await markSent(sql, campaignId);
  for (const p of phases) say(`  ${p.name}: ${(p.ms / 1000).toFixed(1)} s, ${p.rows.toLocaleString('en')} rows (${Math.round(p.rows / (p.ms / 1000)).toLocaleString('en')}/s)`);
  const vacuumStarted = performance.now();
  await sql`vacuum analyze messages, campaign_stats, campaign_counters, campaign_timeline`;
  const [shape] = await sql<{ counterRows: number; shards: number; statsRows: number; timelineRows: number }[]>`
    select (select count(*)::int from campaign_counters where campaign_id = ${campaignId}) as "counterRows",
      (select count(distinct shard)::int from campaign_counters where campaign_id = ${campaignId}) as shards,
      (select count(*)::int from campaign_stats where campaign_id = ${campaignId}) as "statsRows",
      (select count(*)::int from campaign_timeline where campaign_id = ${campaignId}) as "timelineRows"`;
  say(`  vacuum analyze ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s; counters: ${shape!.counterRows} campaign_counters rows over ${shape!.shards} shards, ${shape!.statsRows} campaign_stats rows, ${shape!.timelineRows.toLocaleString('en')} campaign_timeline rows`);

  // The server's pool size (db/client.ts).
  const pool = postgres(databaseUrl, { max: 10, onnotice: () => {} });
  const deps = { sql: pool };
  const url = `${herald.apiUrl}/trpc/campaigns.metrics?input=${encodeURIComponent(JSON.stringify({ id: campaignId }))}`;
  const overHttp = async () => {
    const res = await fetch(url, { headers: { cookie: tenant.cookie } });
    const body = (await res.json()) as { result?: { data: CampaignMetrics } };
    if (!res.ok || !body.result) throw new Error(`campaigns.metrics: ${res.status} ${JSON.stringify(body)}`);
    return body.result.data;
  };

  // The counters must say what the messages say.
  const problems: string[] = [];
  const metrics = await campaignMetrics(deps, tenant.tenantId, campaignId);
  const scanned = await scanMetrics(pool, tenant.tenantId, campaignId);
  const c = metrics.counts;
  const fromCounters = { sent: c.sent, delivered: c.delivered, opened: c.opened, clicked: c.clicked, bouncedHard: c.bouncedHard, bouncedSoft: c.bouncedSoft, complained: c.complained };
  if (JSON.stringify(fromCounters) !== JSON.stringify(Object.fromEntries(Object.keys(fromCounters).map((k) => [k, scanned.milestones[k]])))) {
    problems.push(`milestones: counters ${JSON.stringify(fromCounters)}, scan ${JSON.stringify(scanned.milestones)}`);
  }
  const statusesFromCounters = Object.fromEntries(Object.entries(metrics.statuses).filter(([k, n]) => k !== 'recipients' && n > 0));
  if (JSON.stringify(Object.entries(statusesFromCounters).sort()) !== JSON.stringify(Object.entries(scanned.statuses).sort())) {
    problems.push(`statuses: counters ${JSON.stringify(statusesFromCounters)}, scan ${JSON.stringify(scanned.statuses)}`);
  }
  if (JSON.stringify(await overHttp()) !== JSON.stringify(metrics)) problems.push('campaigns.metrics over HTTP differs from campaignMetrics()');
  say(`  counts ${JSON.stringify(c)}; statuses ${JSON.stringify(scanned.statuses)}; counters = scan: ${problems.length === 0 ? 'yes' : `NO: ${problems.join('; ')}`}`);
  const plans = await Promise.all([
    pool.unsafe(`explain analyze select status, count(*) from messages where campaign_id = $1 and tenant_id = $2 group by status`, [campaignId, tenant.tenantId]),
    pool.unsafe(`explain analyze select count(*) filter (where sent_at is not null), count(*) filter (where clicked_at is not null) from messages where campaign_id = $1 and tenant_id = $2`, [campaignId, tenant.tenantId]),
  ]);
  const planLine = (rows: Record<string, string>[]) => rows.map((r) => Object.values(r)[0]!).find((l) => /Scan/.test(l))?.trim().replace(/\s+\(cost=[^)]*\)/, '') ?? '?';
  say(`  baseline plans: status counts: ${planLine(plans[0] as unknown as Record<string, string>[])}; milestone counts: ${planLine(plans[1] as unknown as Record<string, string>[])}`);

  // The HTTP floor on the same connection: a route that does nothing.
  const healthz = async () => {
    const res = await fetch(`${herald.apiUrl}/healthz`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`/healthz: ${res.status}`);
  };
  // tRPC and the session lookup without the metrics: a query that reads nothing else.
  const me = async () => {
    const res = await fetch(`${herald.apiUrl}/trpc/auth.me`, { headers: { cookie: tenant.cookie } });
    const body = (await res.json()) as { result?: { data: unknown } };
    if (!res.ok || !body.result?.data) throw new Error(`auth.me: ${res.status} ${JSON.stringify(body)}`);
  };
  const rounds: { service: number[]; http: number[]; scan: number[]; healthz: number[]; me: number[] }[] = [];
  for (let r = 0; r < Number(args['read-rounds']); r++) {
    const service = await timed(Number(args['read-calls']), Number(args['read-warmup']), () => campaignMetrics(deps, tenant.tenantId, campaignId));
    const http = await timed(Number(args['read-calls']), Number(args['read-warmup']), overHttp);
    const floor = await timed(Number(args['read-calls']), Number(args['read-warmup']), healthz);
    const session = await timed(Number(args['read-calls']), Number(args['read-warmup']), me);
    const scan = await timed(Number(args['scan-calls']), 2, () => scanMetrics(pool, tenant.tenantId, campaignId));
    rounds.push({ service, http, scan, healthz: floor, me: session });
    const d = (xs: number[]) => dist(xs);
    say(
      `  round ${r + 1}: campaignMetrics() ${showDist(d(service), 2)}; campaigns.metrics over HTTP ${showDist(d(http), 2)} (GET /healthz ${showDist(d(floor), 2)}; auth.me ${showDist(d(session), 2)}); ` +
        `baseline scan ${showDist(d(scan), 0)} (${scan.length} calls); ratio of medians ${(d(scan).p50 / d(service).p50).toFixed(0)}×; load average ${load()}`,
    );
  }
  const med = (pick: (r: (typeof rounds)[number]) => number[], p: keyof Dist) => rounds.map((r) => dist(pick(r))[p]);
  const serviceP50 = med((r) => r.service, 'p50');
  const scanP50 = med((r) => r.scan, 'p50');
  say(
    `read: ${messageCount.toLocaleString('en')} messages: campaignMetrics() median ${fmt(serviceP50, 2)} ms, p95 ${fmt(med((r) => r.service, 'p95'), 2)} ms, max ${fmt(med((r) => r.service, 'max'), 2)} ms; ` +
      `campaigns.metrics over HTTP median ${fmt(med((r) => r.http, 'p50'), 2)} ms, p95 ${fmt(med((r) => r.http, 'p95'), 2)} ms, max ${fmt(med((r) => r.http, 'max'), 2)} ms ` +
      `(GET /healthz median ${fmt(med((r) => r.healthz, 'p50'), 2)} ms, auth.me with the cookie ${fmt(med((r) => r.me, 'p50'), 2)} ms); ` +
      `baseline scan median ${fmt(scanP50, 0)} ms, p95 ${fmt(med((r) => r.scan, 'p95'), 0)} ms; scan / counters ${(median(scanP50) / median(serviceP50)).toFixed(0)}×; ` +
      `${Number(args['read-calls'])} calls per round after ${Number(args['read-warmup'])} warm-up (scan: ${Number(args['scan-calls'])}), median of ${rounds.length} rounds`,
  );

  let writeBaseline: Phase[] | null = null;
  if (args['write-baseline'] === 'on') {
    const other = await createCampaign(herald.apiUrl, tenant, 'metrics write baseline');
    await sql`alter table messages disable trigger messages_stats_insert, disable trigger messages_stats_update`;
    try {
      writeBaseline = await writeMessages(writer.lanes, tenant.tenantId, other, messageCount);
    } finally {
      await sql`alter table messages enable trigger messages_stats_insert, enable trigger messages_stats_update`;
    }
    await sql`analyze messages`;
    const total = (ps: Phase[]) => ps.reduce((a, p) => a + p.ms, 0);
    say(
      `write cost: ${phases.map((p, i) => `${p.name.replace(/ \(.*/, '')} ${(p.ms / 1000).toFixed(1)} s vs ${(writeBaseline![i]!.ms / 1000).toFixed(1)} s without the counter triggers (${(p.ms / writeBaseline![i]!.ms).toFixed(2)}×)`).join('; ')}; ` +
        `all ${(total(phases) / 1000).toFixed(1)} s vs ${(total(writeBaseline) / 1000).toFixed(1)} s (${(total(phases) / total(writeBaseline)).toFixed(2)}×)`,
    );
  }
  await writer.end();
  await pool.end();
  return {
    messages: messageCount,
    writeMs: Object.fromEntries(phases.map((p) => [p.name, Math.round(p.ms)])),
    writeWithoutTriggersMs: writeBaseline && Object.fromEntries(writeBaseline.map((p) => [p.name, Math.round(p.ms)])),
    counters: shape,
    serviceMs: { p50: median(serviceP50), p95: median(med((r) => r.service, 'p95')), max: median(med((r) => r.service, 'max')) },
    httpMs: { p50: median(med((r) => r.http, 'p50')), p95: median(med((r) => r.http, 'p95')), max: median(med((r) => r.http, 'max')) },
    healthzMs: { p50: median(med((r) => r.healthz, 'p50')) },
    authMeMs: { p50: median(med((r) => r.me, 'p50')), p95: median(med((r) => r.me, 'p95')) },
    scanMs: { p50: median(scanP50), p95: median(med((r) => r.scan, 'p95')) },
    ratio: median(scanP50) / median(serviceP50),
    checksPassed: problems.length === 0,
  };
}

// --- parts `live` and `many`: events at a steady rate, subscribers watching ---

type Message = { id: string; to: string; sesId: string };

async function sentCampaign(sql: Sql, url: string, tenant: Tenant, tag: string, count: number): Promise<{ campaignId: string; messages: Message[] }> {
  const campaignId = await createCampaign(url, tenant, `metrics ${tag}`);
  const messages = await sql<Message[]>`
    insert into messages (tenant_id, campaign_id, to_address, status, provider_message_id, sending_at, sent_at)
    select ${tenant.tenantId}, ${campaignId}, ${tag} || '-' || i || '@inbox.test', 'sent',
      '0100019' || substr(md5(${tag} || i), 1, 9) || '-' || gen_random_uuid() || '-000000', now() - interval '3 minutes', now() - interval '3 minutes'
    from generate_series(1, ${count}::int) i
    returning id, to_address as "to", provider_message_id as "sesId"`;
  await markSent(sql, campaignId);
  await sql`analyze messages, message_events`;
  return { campaignId, messages };
}

const deliveryTemplate = fixture('ses-events/delivery.json');

/** A Delivery event as SES publishes it through a configuration set, with Herald's tags. */
function delivery(tenant: Tenant, campaignId: string, m: Message, sentAt: string): string {
  const event = JSON.parse(deliveryTemplate) as { mail: Record<string, unknown>; delivery: Record<string, unknown> };
  Object.assign(event.mail, heraldMail({ accountId: tenant.accountId, tenantId: tenant.tenantId, campaignId, messageId: m.id, sesId: m.sesId, to: m.to, sentAt }));
  Object.assign(event.delivery, { timestamp: new Date().toISOString(), recipients: [m.to] });
  return JSON.stringify(event);
}

type CpuMark = { api: number; watch: number; worker: number; clients: number; db: Map<number, number>; ticks: { busy: number; total: number }; at: number };

async function cpuMark(sql: Sql, databaseUrl: string, herald: Herald, clients: Client[]): Promise<CpuMark> {
  return {
    api: cpuSeconds(herald.api.pid),
    watch: cpuSeconds(herald.watch.pid),
    worker: cpuSeconds(herald.worker.pid),
    clients: clients.reduce((a, c) => a + cpuSeconds(c.pid), 0),
    db: await backendCpuSeconds(sql, databaseUrl),
    ticks: machineTicks(),
    at: performance.now(),
  };
}
/** CPU seconds of each, and the share of the whole machine's CPU time that was busy (everything on it). */
type CpuUse = { seconds: number; api: number; watch: number; worker: number; clients: number; db: number; machineBusy: number };
const cpuUse = (a: CpuMark, b: CpuMark): CpuUse => ({
  seconds: (b.at - a.at) / 1000,
  api: b.api - a.api,
  watch: b.watch - a.watch,
  worker: b.worker - a.worker,
  clients: b.clients - a.clients,
  db: [...b.db].reduce((sum, [pid, s]) => sum + s - (a.db.get(pid) ?? 0), 0),
  machineBusy: (b.ticks.busy - a.ticks.busy) / (b.ticks.total - a.ticks.total),
});

/**
 * Latency of each accepted event for one subscriber: the first update whose `delivered` reaches
 * base + i, minus the i-th accept time (ascending). NaN where no update ever reached it.
 */
function latenciesOf(accepts: Float64Array, at: number[], delivered: number[], base: number): Float64Array {
  const out = new Float64Array(accepts.length);
  let j = 0;
  for (let i = 0; i < accepts.length; i++) {
    while (j < at.length && delivered[j]! < base + i + 1) j++;
    out[i] = j < at.length ? at[j]! - accepts[i]! : NaN;
  }
  return out;
}

/** The shortest time between two consecutive updates, ms. */
function minGap(at: number[]): number {
  let best = Infinity;
  for (let i = 1; i < at.length; i++) best = Math.min(best, at[i]! - at[i - 1]!);
  return best;
}

/** The most updates in any sliding second (the snapshot left out). */
function maxPerSecond(at: number[]): number {
  let best = 0;
  for (let i = 1, j = 1; i < at.length; i++) {
    while (at[i]! - at[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

type LiveRun = {
  subscribers: number;
  events: number;
  accepted: number;
  fire: FireResult;
  connectMs: number;
  /** All subscribers' latencies pooled, and each one's p95. */
  latency: Dist;
  perSubscriberP95: Dist;
  updatesPerSecond: number;
  maxUpdatesInASecond: number;
  minGapMs: number;
  /** First → last subscriber to receive the same state (states every subscriber received), ms. */
  spread: Dist;
  /** Accept → the first subscriber to show it. */
  firstLatency: Dist;
  onFinal: number;
  problems: string[];
  /** message_events: received_at → processed_at, ms; processing batches (shard, processed_at). */
  toProcessing: Dist;
  batches: number;
  /** Per batch: its start minus its earliest event's arrival minus the job delay, ms (≈ waiting for a worker to pick it up). */
  batchLateness: Dist;
  cpu: CpuUse;
  watchPeakRssMb: number;
  watchRssBeforeMb: number;
  loadBefore: string;
  loadAfter: string;
};

async function liveRun(
  ctx: { sql: Sql; databaseUrl: string; herald: Herald; tenant: Tenant; loaders: Client[]; subscriberClients: Client[]; certUrl: string },
  tag: string,
  eventCount: number,
  subscriberCount: number,
): Promise<LiveRun> {
  const { sql, databaseUrl, herald, tenant, loaders, subscriberClients, certUrl } = ctx;
  const { campaignId, messages } = await sentCampaign(sql, herald.apiUrl, tenant, tag, eventCount);
  const topicArn = `arn:aws:sns:us-east-1:${tenant.accountId}:herald-ses-events`;
  const sentAt = new Date(Date.now() - 180_000).toISOString();
  const items: SignItem[] = messages.map((m) => ({ topicArn, messageId: randomUUID(), message: delivery(tenant, campaignId, m, sentAt) }));
  const half = Math.ceil(items.length / loaders.length);
  const files = loaders.map((_, i) => path.join(tmp, `${tag}-${i}.ndjson`));
  await Promise.all(loaders.map((c, i) => c.call<SignResult>({ kind: 'sign', certUrl, keyPem: SNS_KEY_PEM, items: items.slice(i * half, (i + 1) * half), file: files[i]! })));

  // Subscribers, spread over the subscriber processes; each waits for its snapshot.
  const counts = subscriberClients.map((_, i) => Math.floor(subscriberCount / subscriberClients.length) + (i < subscriberCount % subscriberClients.length ? 1 : 0));
  const rssReset = resetPeakRss(herald.watch.pid);
  const watchRssBeforeMb = rssMb(herald.watch.pid);
  const connectStarted = performance.now();
  const subscribed = await Promise.all(
    subscriberClients.map((c, i) =>
      counts[i]! > 0
        ? c.call<SubscribeResult>({ kind: 'subscribe', url: herald.watchUrl, cookie: tenant.cookie, campaignId, count: counts[i]!, timeoutMs: 60_000, client: subscriberClient })
        : Promise.resolve(null),
    ),
  );
  const connectMs = performance.now() - connectStarted;
  const problems: string[] = [];
  const ready = subscribed.reduce((a, s) => a + (s?.ready ?? 0), 0);
  if (ready < subscriberCount) problems.push(`${subscriberCount - ready} subscriber(s) got no snapshot: ${subscribed.flatMap((s) => s?.errors ?? []).join(' | ')}`);
  const loadBefore = load();

  const before = await cpuMark(sql, databaseUrl, herald, [...loaders, ...subscriberClients]);
  const fire = await loaders[0]!.call<FireResult>({ kind: 'fire', url: herald.apiUrl, files, rate, maxSockets: 256 });
  for (const f of files) rmSync(f);
  const accepts = Float64Array.from(fire.acceptedAt.filter((a) => !Number.isNaN(a))).sort();
  const non200 = Object.entries(fire.statuses).filter(([s]) => s !== '200');
  if (non200.length > 0) problems.push(`non-200 answers ${JSON.stringify(Object.fromEntries(non200))}: ${fire.refusals.join(' | ')}`);

  // Until the worker has applied everything, then until every subscriber shows it.
  const drainDeadline = Date.now() + 120_000;
  while (Date.now() < drainDeadline) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`;
    if (row!.n === 0) break;
    await sleep(50);
  }
  const finished = await Promise.all(subscriberClients.map((c, i) => (counts[i]! > 0 ? c.call<FinishResult>({ kind: 'finish', delivered: accepts.length, timeoutMs: 30_000 }) : Promise.resolve(null))));
  const after = await cpuMark(sql, databaseUrl, herald, [...loaders, ...subscriberClients]);
  const watchPeakRssMb = peakRssMb(herald.watch.pid);
  if (!rssReset) problems.push('could not reset the peak RSS of watch (/proc/<pid>/clear_refs): its peak is since start');

  const final = await campaignMetrics({ sql }, tenant.tenantId, campaignId);
  const finalId = metricsEventId(final);
  if (final.counts.delivered !== accepts.length) problems.push(`counters show ${final.counts.delivered} delivered for ${accepts.length} accepted`);
  const subs = finished.flatMap((f) => f?.subscribers ?? []);
  const pooled = new Float64Array(accepts.length * subs.length);
  const p95s: number[] = [];
  let never = 0;
  let wentBack = 0;
  let reconnected = 0;
  let errors = 0;
  const rates: number[] = [];
  const maxima: number[] = [];
  const gaps: number[] = [];
  subs.forEach((s, k) => {
    const base = s.delivered[0] ?? 0;
    const lat = latenciesOf(accepts, s.at, s.delivered, base);
    pooled.set(lat, k * accepts.length);
    never += lat.filter(Number.isNaN).length;
    p95s.push(dist(lat.filter((x) => !Number.isNaN(x))).p95);
    if (s.delivered.some((d, i) => i > 0 && d < s.delivered[i - 1]!)) wentBack += 1;
    if (s.states.filter((st) => st === 'connecting').length > 1) reconnected += 1;
    errors += s.errors.length;
    const updates = s.at.length - 1;
    rates.push(updates / ((s.at.at(-1)! - accepts[0]!) / 1000));
    maxima.push(maxPerSecond(s.at));
    gaps.push(minGap(s.at));
  });
  // How long one state takes to reach every subscriber: first to last arrival of each state all of them got.
  const arrivals = new Map<number, { first: number; last: number; n: number }>();
  for (const s of subs) {
    for (let i = 1; i < s.at.length; i++) {
      const a = arrivals.get(s.delivered[i]!) ?? { first: Infinity, last: -Infinity, n: 0 };
      arrivals.set(s.delivered[i]!, { first: Math.min(a.first, s.at[i]!), last: Math.max(a.last, s.at[i]!), n: a.n + 1 });
    }
  }
  const spreads = [...arrivals.values()].filter((a) => a.n === subs.length).map((a) => a.last - a.first);
  // The same latency for whichever subscriber saw each state first: what the fan-out to all of them adds is the rest.
  const firsts = [...arrivals].map(([d, a]) => [a.first, d] as const).sort((x, y) => x[0] - y[0]);
  const firstLatency = dist(latenciesOf(accepts, firsts.map((f) => f[0]), firsts.map((f) => f[1]), Math.min(...subs.map((s) => s.delivered[0] ?? 0))).filter((x) => !Number.isNaN(x)));
  const onFinal = subs.filter((s) => s.lastId === finalId).length;
  if (onFinal < subscriberCount) problems.push(`${subscriberCount - onFinal} of ${subscriberCount} subscriber(s) did not end on the final state`);
  if (never > 0) problems.push(`${never} (subscriber, event) pairs never seen`);
  if (wentBack > 0) problems.push(`${wentBack} subscriber(s) saw delivered go back`);
  if (reconnected > 0) problems.push(`${reconnected} subscriber(s) reconnected`);
  if (errors > 0) problems.push(`${errors} subscription error(s): ${subs.flatMap((s) => s.errors).slice(0, 3).join(' | ')}`);

  const ids = items.map((i) => i.messageId);
  const legs = await sql<{ wait: number }[]>`
    select extract(epoch from processed_at - received_at)::float8 * 1000 as wait from message_events where sns_message_id = any(${ids})`;
  const batchRows = await sql<{ late: number }[]>`
    select extract(epoch from processed_at - min(received_at))::float8 * 1000 - ${JOB_DELAY_MS} as late
    from message_events where sns_message_id = any(${ids}) group by shard, processed_at`;

  return {
    subscribers: subscriberCount,
    events: items.length,
    accepted: accepts.length,
    fire,
    connectMs,
    latency: dist(pooled.filter((x) => !Number.isNaN(x))),
    perSubscriberP95: dist(p95s),
    updatesPerSecond: median(rates),
    maxUpdatesInASecond: Math.max(...maxima),
    minGapMs: Math.min(...gaps),
    spread: dist(spreads),
    firstLatency,
    onFinal,
    problems,
    toProcessing: dist(legs.map((l) => l.wait)),
    batches: batchRows.length,
    batchLateness: dist(batchRows.map((b) => b.late)),
    cpu: cpuUse(before, after),
    watchPeakRssMb,
    watchRssBeforeMb,
    loadBefore,
    loadAfter: load(),
  };
}

function describeRun(label: string, r: LiveRun): string {
  const u = r.cpu;
  const core = (s: number) => (s / u.seconds).toFixed(2);
  return (
    `${label}: ${r.events.toLocaleString('en')} Delivery notifications at ${rate}/s, ${r.subscribers} subscriber(s) on watch (connected in ${(r.connectMs / 1000).toFixed(1)} s): ` +
    `accepted ${r.accepted.toLocaleString('en')} at ${r.fire.acceptedPerSecond.toFixed(0)}/s (HTTP ${showDist({ ...r.fire.latencyMs, n: 0 })}; start lag p99 ${r.fire.startLagMs.p99.toFixed(1)} ms, max ${r.fire.startLagMs.max.toFixed(1)} ms); ` +
    `accept → subscriber ${showDist(r.latency, 0)}` +
    (r.subscribers > 1
      ? ` (all subscribers' events pooled; per-subscriber p95: median ${r.perSubscriberP95.p50.toFixed(0)}, max ${r.perSubscriberP95.max.toFixed(0)} ms; ` +
        `to whichever subscriber got it first: ${showDist(r.firstLatency, 0)}; one state from the first to the last subscriber: ${showDist(r.spread, 0)} over ${r.spread.n} states)`
      : '') +
    `; updates ${r.updatesPerSecond.toFixed(2)}/s per subscriber, at most ${r.maxUpdatesInASecond} in any sliding second, never closer than ${r.minGapMs.toFixed(0)} ms; on the final state ${r.onFinal}/${r.subscribers}; ` +
    `accepted → processing started ${showDist(r.toProcessing, 0)}; ${r.batches} processing batches (${(r.accepted / Math.max(1, r.batches)).toFixed(0)} events each), ` +
    `started after their first event + ${JOB_DELAY_MS} ms: ${showDist(r.batchLateness, 0)}; ` +
    `CPU over ${u.seconds.toFixed(1)} s: api ${core(u.api)}, watch ${core(u.watch)}, worker ${core(u.worker)}, Postgres ${core(u.db)}, clients ${core(u.clients)} cores (watch ${u.watch.toFixed(2)} s), machine busy ${(u.machineBusy * 100).toFixed(0)} %; ` +
    `watch RSS ${r.watchRssBeforeMb.toFixed(0)} MB before, peak ${r.watchPeakRssMb.toFixed(0)} MB; checks: ${r.problems.length === 0 ? 'ok' : r.problems.join('; ')}; load average ${r.loadBefore} → ${r.loadAfter}`
  );
}

// --- main ---

let database: ScratchDatabase | null = null;
const certHost = await startCertHost();
const sim = await startSimulatorProcess();
const loaders = [startMetricsClient(), startMetricsClient()];
const subscriberClients = Array.from({ length: subscriberProcesses }, () => startMetricsClient());
let herald: Herald | null = null;
const summary: Record<string, unknown> = {};
/** Herald's logs stay in the temporary directory when something went wrong. */
let keepLogs = false;
try {
  database = await scratchDatabase(args['database-url'] ?? '', path.join(tmp, 'postgres'));
  const sql = postgres(database.url, { max: 4, onnotice: () => {} });
  // --jit off: Postgres's JIT off for the scratch database (every connection opened after this), to compare.
  if (args.jit === 'off') await sql`alter database ${sql(new URL(database.url).pathname.slice(1))} set jit = off`;
  const fresh = postgres(database.url, { max: 1, onnotice: () => {} });
  const [jit] = await fresh<{ jit: string; cost: string }[]>`select current_setting('jit') as jit, current_setting('jit_above_cost') as cost`;
  await fresh.end();
  const [pg] = await sql<{ version: string }[]>`select split_part(version(), ' on ', 1) as version`;
  say(
    `machine: ${machine()}, ${pg!.version}${database.embedded ? ' (embedded)' : ''}; ${new Date().toISOString()}; load average ${load()}; ` +
      `parts ${[...parts].join(', ')}; LOG_LEVEL=${args['log-level']}; Postgres jit ${jit!.jit} (jit_above_cost ${jit!.cost}); ` +
      `api and watch: main.ts (WORKER=off), worker: worker.ts`,
  );
  herald = await startHerald(database.url, sql, sim.url, certHost.allowPrefix);
  const tenant = await readyTenant(herald.apiUrl, sql, sim, { name: 'Metrics', accessKeyId: 'BENCHMETRICSKEY00001', secretAccessKey: 'bench-metrics-secret', accountId: '310000000002' });

  if (parts.has('read')) summary.read = await readPart(sql, database.url, herald, tenant);

  const ctx = { sql, databaseUrl: database.url, herald, tenant, loaders, subscriberClients, certUrl: certHost.certUrl };
  for (const part of ['live', 'many'].filter((p) => parts.has(p))) {
    const subscriberCount = Number(part === 'live' ? args['subscribers-live'] : args.subscribers);
    const warmEvents = Math.round(rate * Number(args['warm-seconds']));
    if (warmEvents > 0) {
      const w = await liveRun(ctx, `${part}0`, warmEvents, subscriberCount);
      say(`${describeRun(`warm-up run (${part}, not counted)`, w)}`);
    }
    const results: LiveRun[] = [];
    for (let run = 1; run <= runs; run++) {
      const r = await liveRun(ctx, `${part}${run}`, rate * seconds, subscriberCount);
      results.push(r);
      if (r.problems.length > 0) keepLogs = true;
      say(describeRun(`run ${run} (${part})`, r));
    }
    const pick = (f: (r: LiveRun) => number) => results.map(f);
    say(
      `${part}: ${subscriberCount} subscriber(s), ${rate}/s for ${seconds} s: accept → subscriber p50 ${fmt(pick((r) => r.latency.p50), 0)} ms, p95 ${fmt(pick((r) => r.latency.p95), 0)} ms, ` +
        `p99 ${fmt(pick((r) => r.latency.p99), 0)} ms, max ${fmt(pick((r) => r.latency.max), 0)} ms; ` +
        (subscriberCount > 1
          ? `worst subscriber's p95 ${fmt(pick((r) => r.perSubscriberP95.max), 0)} ms; to whichever subscriber got it first p50 ${fmt(pick((r) => r.firstLatency.p50), 0)} ms, p95 ${fmt(pick((r) => r.firstLatency.p95), 0)} ms; ` +
            `one state from the first to the last subscriber p50 ${fmt(pick((r) => r.spread.p50), 0)} ms, max ${fmt(pick((r) => r.spread.max), 0)} ms; `
          : '') +
        `updates per second ${fmt(pick((r) => r.updatesPerSecond), 2)} (most in any sliding second ${pick((r) => r.maxUpdatesInASecond).join('/')}, shortest gap ${results.map((r) => r.minGapMs.toFixed(0)).join('/')} ms); ` +
        `accepted ${fmt(pick((r) => r.fire.acceptedPerSecond), 0)}/s; accepted → processing started p50 ${fmt(pick((r) => r.toProcessing.p50), 0)} ms, p95 ${fmt(pick((r) => r.toProcessing.p95), 0)} ms; ` +
        `watch CPU ${fmt(pick((r) => r.cpu.watch / r.cpu.seconds), 2)} cores, ${fmt(pick((r) => r.cpu.watch), 2)} s per run; watch peak RSS ${fmt(pick((r) => r.watchPeakRssMb), 0)} MB; ` +
        `machine busy ${fmt(pick((r) => r.cpu.machineBusy * 100), 0)} %; ` +
        `on the final state ${pick((r) => r.onFinal).join('/')} of ${subscriberCount}; checks ${results.map((r) => (r.problems.length === 0 ? 'ok' : 'FAILED')).join('/')}; median of ${results.length} runs`,
    );
    summary[part] = {
      subscribers: subscriberCount,
      rate,
      seconds,
      runs: results.length,
      latencyMs: {
        p50: median(pick((r) => r.latency.p50)),
        p95: median(pick((r) => r.latency.p95)),
        p99: median(pick((r) => r.latency.p99)),
        max: median(pick((r) => r.latency.max)),
      },
      worstSubscriberP95Ms: median(pick((r) => r.perSubscriberP95.max)),
      updatesPerSecond: median(pick((r) => r.updatesPerSecond)),
      maxUpdatesInASecond: Math.max(...pick((r) => r.maxUpdatesInASecond)),
      minGapMs: Math.min(...pick((r) => r.minGapMs)),
      spreadMs: { p50: median(pick((r) => r.spread.p50)), max: median(pick((r) => r.spread.max)) },
      firstSubscriberMs: { p50: median(pick((r) => r.firstLatency.p50)), p95: median(pick((r) => r.firstLatency.p95)) },
      machineBusy: median(pick((r) => r.cpu.machineBusy)),
      batchLatenessMs: { p50: median(pick((r) => r.batchLateness.p50)), p95: median(pick((r) => r.batchLateness.p95)), max: median(pick((r) => r.batchLateness.max)) },
      acceptedPerSecond: median(pick((r) => r.fire.acceptedPerSecond)),
      toProcessingMs: { p50: median(pick((r) => r.toProcessing.p50)), p95: median(pick((r) => r.toProcessing.p95)) },
      watchCpuSeconds: pick((r) => Number(r.cpu.watch.toFixed(2))),
      watchPeakRssMb: pick((r) => Math.round(r.watchPeakRssMb)),
      onFinal: pick((r) => r.onFinal),
      checksPassed: results.every((r) => r.problems.length === 0),
    };
  }
  await sql.end();
  say(JSON.stringify({ bench: 'metrics', at: new Date().toISOString(), machine: machine(), results: summary }));
} catch (err) {
  keepLogs = true;
  throw err;
} finally {
  await herald?.stop();
  await Promise.all([...loaders, ...subscriberClients].map((c) => c.stop()));
  await sim.stop();
  await certHost.stop();
  await database?.close();
  if (keepLogs) say(`Herald's logs: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
