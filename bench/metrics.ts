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
 * set and it is connected). Three parts (--parts): `read`, the counters
 * against a scan at 1,000,000 messages (bench/metrics/read.ts), and `live`
 * and `many`, events at a steady rate while subscribers watch
 * (bench/metrics/live.ts).
 *
 * Run: `npm run bench:metrics`, or `node --import tsx bench/metrics.ts [--database-url postgres://…/test]`
 * (no URL: DATABASE_URL, else an embedded Postgres in a temporary directory).
 * Options: --parts read,live,many --messages 1000000 --chunk 50000 --update-connections 4
 * --read-rounds 3 --read-calls 200 --read-warmup 20 --scan-calls 20 --write-baseline on
 * --rate 1000 --seconds 20 --runs 3 --warm-seconds 3 --subscribers-live 1 --subscribers 500
 * --subscriber-processes 2 --subscriber-client trpc|plain --log-level info --profile-dir DIR (V8 CPU profiles of api, watch and worker)
 * --jit default|off (off: `ALTER DATABASE … SET jit = off` on the scratch database, to compare).
 */
import postgres from 'postgres';
import { readyTenant, type Tenant } from './event-tenant.js';
import { runEventsBench, type EventsBench } from './harness.js';
import { checkGoal, loadAverages, machine, say } from './lib.js';
import type { ClientJob } from './metrics-client.js';
import { startMetricsHerald, type MetricsHerald } from './metrics/herald.js';
import { liveRun, type LiveRun } from './metrics/live.js';
import { metricsOptions, type MetricsOptions } from './metrics/options.js';
import { readPart } from './metrics/read.js';
import { describePart, describeRun, partSummary } from './metrics/report.js';
import { startClient, type Client } from './procs.js';

const opts = metricsOptions();

/** Postgres's JIT setting as a fresh connection sees it (after --jit off: off for the scratch database). */
async function jitSetting(bench: EventsBench): Promise<string> {
  if (opts.jitOff) await bench.sql`alter database ${bench.sql(new URL(bench.database.url).pathname.slice(1))} set jit = off`;
  const fresh = postgres(bench.database.url, { max: 1, onnotice: () => {} });
  const [jit] = await fresh<{ jit: string; cost: string }[]>`select current_setting('jit') as jit, current_setting('jit_above_cost') as cost`;
  await fresh.end();
  return `${jit!.jit} (jit_above_cost ${jit!.cost})`;
}

type LiveContext = { bench: EventsBench; herald: MetricsHerald; tenant: Tenant; loaders: Client<ClientJob>[]; subscriberClients: Client<ClientJob>[]; opts: MetricsOptions };

/** The `live` or `many` part: an uncounted warm-up run (cold JIT), then --runs runs; returns the part's summary. */
async function livePart(ctx: LiveContext, part: string): Promise<Record<string, unknown>> {
  const subscriberCount = part === 'live' ? opts.subscribersLive : opts.subscribers;
  const warmEvents = Math.round(opts.rate * opts.warmSeconds);
  if (warmEvents > 0) {
    const w = await liveRun(ctx, `${part}0`, warmEvents, subscriberCount);
    say(`${describeRun(`warm-up run (${part}, not counted)`, w, opts.rate)}`);
  }
  const results: LiveRun[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    const r = await liveRun(ctx, `${part}${run}`, opts.rate * opts.seconds, subscriberCount);
    results.push(r);
    if (r.problems.length > 0) ctx.bench.keepLogs();
    say(describeRun(`run ${run} (${part})`, r, opts.rate));
  }
  say(describePart(part, subscriberCount, results, opts.rate, opts.seconds));
  const figures = partSummary(subscriberCount, results, opts.rate, opts.seconds);
  // Issue "Performance", goal 6: webhook accept → subscriber p95 ≤ 500 ms with 500 subscribers.
  if (part === 'many') checkGoal(`live metrics, ${subscriberCount} subscribers: accept → subscriber p95 ms / 500`, figures.latencyMs.p95 / 500, { atMost: 1 });
  return figures;
}

await runEventsBench('metrics', opts.databaseUrl, 4, async (bench) => {
  const startMetricsClient = () => startClient<ClientJob>('bench/metrics-client.ts');
  const loaders = [startMetricsClient(), startMetricsClient()];
  const subscriberClients = Array.from({ length: opts.subscriberProcesses }, () => startMetricsClient());
  let herald: MetricsHerald | null = null;
  const summary: Record<string, unknown> = {};
  try {
    const jit = await jitSetting(bench);
    say(
      `machine: ${machine()}, ${bench.pgVersion}${bench.database.embedded ? ' (embedded)' : ''}; ${new Date().toISOString()}; load average ${loadAverages()}; ` +
        `parts ${[...opts.parts].join(', ')}; LOG_LEVEL=${opts.logLevel}; Postgres jit ${jit}; ` +
        `api and watch: main.ts (WORKER=off), worker: worker.ts`,
    );
    herald = await startMetricsHerald(bench, opts.logLevel, opts.nodeArgs);
    const tenant = await readyTenant(herald.apiUrl, bench.sql, bench.sim, { name: 'Metrics', accessKeyId: 'BENCHMETRICSKEY00001', secretAccessKey: 'bench-metrics-secret', accountId: '310000000002' });
    if (opts.parts.has('read')) summary.read = await readPart(bench, herald, tenant, opts);
    const ctx = { bench, herald, tenant, loaders, subscriberClients, opts };
    for (const part of ['live', 'many'].filter((p) => opts.parts.has(p))) summary[part] = await livePart(ctx, part);
    say(JSON.stringify({ bench: 'metrics', at: new Date().toISOString(), machine: machine(), results: summary }));
  } finally {
    await herald?.stop();
    await Promise.all([...loaders, ...subscriberClients].map((c) => c.stop()));
  }
});
