/**
 * The `live` and `many` parts: per run, a campaign of rate × seconds messages
 * inserted as `sent` with SES message ids, one signed Delivery
 * notification per message (signed beforehand by two client processes,
 * bench/metrics-client.ts). --subscribers-live (1) or --subscribers (500)
 * subscriptions to `campaigns.onMetrics` on `watch`, opened as a browser
 * does (tRPC httpSubscriptionLink over the `eventsource` package, with the
 * cookie; or, with --subscriber-client plain, one node:http GET each with a
 * line parser) from --subscriber-processes client processes, each waits for
 * its snapshot; then one client process POSTs the notifications to `api` at a
 * steady --rate per second (request i is due at start + i/rate, whatever
 * the answers do) until all are sent. Latency of the i-th accepted event =
 * the arrival of the first update showing delivered ≥ i (counts only grow)
 * minus the time the i-th 200 came back (accept times sorted), per
 * subscriber: p50/p95/p99/max (`many`: over all subscribers' events
 * pooled, and the spread of per-subscriber p95s). Updates per second a
 * subscriber received (first accept → its last update; the most in any
 * sliding second and the shortest gap between two). Checks: every
 * notification got a 200, every subscriber ended on the final state (its
 * last event id = the digest of campaignMetrics() after the drain: ids are
 * digests of the state) without errors or reconnects, updates never went
 * back. To tell where the time goes: the latency to whichever subscriber
 * got each state first and the first → last subscriber spread of each
 * state; from the database, accepted → processing started
 * (message_events.received_at → processed_at) and, per processing batch,
 * its start minus its first event's arrival minus the drain's poll interval (DRAIN_POLL_MS)
 * (waiting for a worker to poll). CPU seconds of api, watch, worker,
 * Postgres backends and the clients from /proc over the run (first request
 * → last subscriber caught up), the machine's busy share, and watch's peak
 * RSS (VmHWM, reset through /proc/<pid>/clear_refs before each run where
 * allowed). Each part first does an uncounted run of --warm-seconds (cold JIT).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { DRAIN_POLL_MS } from '../../server/src/events/eventDrain.js';
import { metricsEventId } from '../../server/src/realtime/metricsStream.js';
import { campaignMetrics } from '../../server/src/services/campaigns/metrics.js';
import { topicArnOf, type Tenant } from '../event-tenant.js';
import type { EventsBench } from '../harness.js';
import { loadAverages, sleep } from '../lib.js';
import type { ClientJob, FinishResult, FireResult, SubscribeResult } from '../metrics-client.js';
import type { SignItem } from '../sign-job.js';
import { peakRssMb, resetPeakRss, rssMb, type Client } from '../procs.js';
import { signAll } from '../sns.js';
import { cpuMark, cpuUse, type CpuUse } from './cpu.js';
import type { MetricsHerald } from './herald.js';
import { delivery, sentCampaign } from './live-campaign.js';
import type { MetricsOptions } from './options.js';
import { dist, type Dist } from './stats.js';
import { subscriberFigures, type SubscriberFigures } from './subscribers.js';

export type LiveRun = SubscriberFigures & {
  subscribers: number;
  events: number;
  accepted: number;
  fire: FireResult;
  connectMs: number;
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

/** One run: `eventCount` Delivery notifications at --rate while `subscriberCount` subscribers watch the campaign. */
export async function liveRun(
  ctx: { bench: EventsBench; herald: MetricsHerald; tenant: Tenant; loaders: Client<ClientJob>[]; subscriberClients: Client<ClientJob>[]; opts: MetricsOptions },
  tag: string,
  eventCount: number,
  subscriberCount: number,
): Promise<LiveRun> {
  const { bench, herald, tenant, loaders, subscriberClients, opts } = ctx;
  const { sql } = bench;
  const databaseUrl = bench.database.url;
  const { campaignId, messages } = await sentCampaign(sql, herald.apiUrl, tenant, tag, eventCount);
  const topicArn = topicArnOf(tenant.accountId);
  const sentAt = new Date(Date.now() - 180_000).toISOString();
  const items: SignItem[] = messages.map((m) => ({ topicArn, messageId: randomUUID(), message: delivery(tenant, campaignId, m, sentAt) }));
  const { files } = await signAll(loaders, bench.certHost.certUrl, items, path.join(bench.tmp, tag));

  // Subscribers, spread over the subscriber processes; each waits for its snapshot.
  const counts = subscriberClients.map((_, i) => Math.floor(subscriberCount / subscriberClients.length) + (i < subscriberCount % subscriberClients.length ? 1 : 0));
  const rssReset = resetPeakRss(herald.watch.pid);
  const watchRssBeforeMb = rssMb(herald.watch.pid);
  const connectStarted = performance.now();
  const subscribed = await Promise.all(
    subscriberClients.map((c, i) =>
      counts[i]! > 0
        ? c.call<SubscribeResult>({ kind: 'subscribe', url: herald.watchUrl, cookie: tenant.cookie, campaignId, count: counts[i]!, timeoutMs: 60_000, client: opts.subscriberClient })
        : Promise.resolve(null),
    ),
  );
  const connectMs = performance.now() - connectStarted;
  const problems: string[] = [];
  const ready = subscribed.reduce((a, s) => a + (s?.ready ?? 0), 0);
  if (ready < subscriberCount) problems.push(`${subscriberCount - ready} subscriber(s) got no snapshot: ${subscribed.flatMap((s) => s?.errors ?? []).join(' | ')}`);
  const loadBefore = loadAverages();

  const before = await cpuMark(sql, databaseUrl, herald, [...loaders, ...subscriberClients]);
  const fire = await loaders[0]!.call<FireResult>({ kind: 'fire', url: herald.apiUrl, files, rate: opts.rate, maxSockets: 256 });
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
  if (final.counts.delivered !== accepts.length) problems.push(`counters show ${final.counts.delivered} delivered for ${accepts.length} accepted`);
  const seen = subscriberFigures(accepts, finished.flatMap((f) => f?.subscribers ?? []), metricsEventId(final), subscriberCount);
  const ids = items.map((i) => i.messageId);
  const legs = await sql<{ wait: number }[]>`
    select extract(epoch from processed_at - received_at)::float8 * 1000 as wait from message_events where sns_message_id = any(${ids})`;
  const batchRows = await sql<{ late: number }[]>`
    select extract(epoch from processed_at - min(received_at))::float8 * 1000 - ${DRAIN_POLL_MS} as late
    from message_events where sns_message_id = any(${ids}) group by shard, processed_at`;

  return {
    subscribers: subscriberCount,
    events: items.length,
    accepted: accepts.length,
    fire,
    connectMs,
    ...seen,
    problems: [...problems, ...seen.problems],
    toProcessing: dist(legs.map((l) => l.wait)),
    batches: batchRows.length,
    batchLateness: dist(batchRows.map((b) => b.late)),
    cpu: cpuUse(before, after),
    watchPeakRssMb,
    watchRssBeforeMb,
    loadBefore,
    loadAfter: loadAverages(),
  };
}
