/**
 * The `read` part: a campaign whose 1,000,000 messages (no contacts: contact_id is
 * nullable) are written in SQL the way the pipeline writes them, so that
 * the triggers of migration 0010 keep the counters: the fan-out insert as
 * `queued` in chunks of 50,000 (one connection, as sending/fanOut.ts), then
 * UPDATE waves over 20 id ranges on 4 connections at once (so the counters
 * hold several shards, `pg_backend_pid() % 8`): all sent (spread over an
 * hour), 97 % delivered, 2 % bounced (1.2 % Permanent, 0.8 % Transient),
 * 30 % opened (over two days), 7.8 % clicked, 0.05 % complained, statuses
 * by message_status_by_milestones(); then VACUUM ANALYZE. Each wave's time
 * is reported. Then, in --read-rounds rounds: `campaignMetrics(deps,
 * tenantId, id)` called in this process (a postgres.js pool like the
 * server's) and `GET /trpc/campaigns.metrics?input=…` with the session
 * cookie over a keep-alive connection, --read-calls each after
 * --read-warmup; the baseline, the scan the counters replace (the campaign
 * row, then `status, count(*) … group by status` and the milestone counts
 * with FILTER, both at once as the service runs its two reads),
 * --scan-calls times; and two HTTP floors on the same connection: `GET
 * /healthz` and `auth.me` (tRPC and the session lookup, nothing else).
 * Median, p95, max per round; the ratio of medians.
 * The scan's answer must equal the counters'. With --write-baseline on,
 * the same writes for a second 1,000,000-message campaign with the two
 * counter triggers disabled (ALTER TABLE … DISABLE TRIGGER; nothing else
 * writes messages meanwhile): the triggers' share of the write cost. That
 * campaign stays in the table (after the reads, so they do not see it).
 */
import postgres from 'postgres';
import { campaignMetrics, type CampaignMetrics } from '../../server/src/services/campaigns/metrics.js';
import { createCampaign, type Tenant } from '../event-tenant.js';
import type { EventsBench } from '../harness.js';
import { fmt, loadAverages, median, say } from '../lib.js';
import type { MetricsHerald } from './herald.js';
import type { MetricsOptions } from './options.js';
import { countersVersusScan, scanMetrics, scanPlans } from './scan.js';
import { dist, showDist, type Dist } from './stats.js';
import { markSent, shardLanes, writeMessages, type Phase } from './writes.js';

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

export async function readPart(bench: EventsBench, herald: MetricsHerald, tenant: Tenant, opts: MetricsOptions): Promise<Record<string, unknown>> {
  const { sql, database } = bench;
  const databaseUrl = database.url;
  const writer = await shardLanes(databaseUrl, opts.updateConnections);
  say(
    `read: writing a campaign of ${opts.messages.toLocaleString('en')} messages (triggers on; updates over ${writer.lanes.length} connections, ` +
      `counter shards ${writer.shards.join(', ')}); load average ${loadAverages()}`,
  );
  const campaignId = await createCampaign(herald.apiUrl, tenant, 'metrics read');
  const phases = await writeMessages(writer.lanes, tenant.tenantId, campaignId, opts.messages, opts.chunk);
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
  const metrics = await campaignMetrics(deps, tenant.tenantId, campaignId);
  const scanned = await scanMetrics(pool, tenant.tenantId, campaignId);
  const problems = countersVersusScan(metrics, scanned);
  if (JSON.stringify(await overHttp()) !== JSON.stringify(metrics)) problems.push('campaigns.metrics over HTTP differs from campaignMetrics()');
  say(`  counts ${JSON.stringify(metrics.counts)}; statuses ${JSON.stringify(scanned.statuses)}; counters = scan: ${problems.length === 0 ? 'yes' : `NO: ${problems.join('; ')}`}`);
  say(`  baseline plans: ${await scanPlans(pool, tenant.tenantId, campaignId)}`);

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
  for (let r = 0; r < opts.readRounds; r++) {
    const service = await timed(opts.readCalls, opts.readWarmup, () => campaignMetrics(deps, tenant.tenantId, campaignId));
    const http = await timed(opts.readCalls, opts.readWarmup, overHttp);
    const floor = await timed(opts.readCalls, opts.readWarmup, healthz);
    const session = await timed(opts.readCalls, opts.readWarmup, me);
    const scan = await timed(opts.scanCalls, 2, () => scanMetrics(pool, tenant.tenantId, campaignId));
    rounds.push({ service, http, scan, healthz: floor, me: session });
    const d = (xs: number[]) => dist(xs);
    say(
      `  round ${r + 1}: campaignMetrics() ${showDist(d(service), 2)}; campaigns.metrics over HTTP ${showDist(d(http), 2)} (GET /healthz ${showDist(d(floor), 2)}; auth.me ${showDist(d(session), 2)}); ` +
        `baseline scan ${showDist(d(scan), 0)} (${scan.length} calls); ratio of medians ${(d(scan).p50 / d(service).p50).toFixed(0)}×; load average ${loadAverages()}`,
    );
  }
  const med = (pick: (r: (typeof rounds)[number]) => number[], p: keyof Dist) => rounds.map((r) => dist(pick(r))[p]);
  const serviceP50 = med((r) => r.service, 'p50');
  const scanP50 = med((r) => r.scan, 'p50');
  say(
    `read: ${opts.messages.toLocaleString('en')} messages: campaignMetrics() median ${fmt(serviceP50, 2)} ms, p95 ${fmt(med((r) => r.service, 'p95'), 2)} ms, max ${fmt(med((r) => r.service, 'max'), 2)} ms; ` +
      `campaigns.metrics over HTTP median ${fmt(med((r) => r.http, 'p50'), 2)} ms, p95 ${fmt(med((r) => r.http, 'p95'), 2)} ms, max ${fmt(med((r) => r.http, 'max'), 2)} ms ` +
      `(GET /healthz median ${fmt(med((r) => r.healthz, 'p50'), 2)} ms, auth.me with the cookie ${fmt(med((r) => r.me, 'p50'), 2)} ms); ` +
      `baseline scan median ${fmt(scanP50, 0)} ms, p95 ${fmt(med((r) => r.scan, 'p95'), 0)} ms; scan / counters ${(median(scanP50) / median(serviceP50)).toFixed(0)}×; ` +
      `${opts.readCalls} calls per round after ${opts.readWarmup} warm-up (scan: ${opts.scanCalls}), median of ${rounds.length} rounds`,
  );

  let writeBaseline: Phase[] | null = null;
  if (opts.writeBaseline) {
    const other = await createCampaign(herald.apiUrl, tenant, 'metrics write baseline');
    await sql`alter table messages disable trigger messages_stats_insert, disable trigger messages_stats_update`;
    try {
      writeBaseline = await writeMessages(writer.lanes, tenant.tenantId, other, opts.messages, opts.chunk);
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
    messages: opts.messages,
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
