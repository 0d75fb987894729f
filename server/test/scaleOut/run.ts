import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import postgres, { type Sql } from 'postgres';
import type { SimEventsOptions } from '../../src/dev/simEventsOptions.js';
import { subscribeMetrics } from '../metricsSubscriber.js';
import { cpuSeconds, machineTicks, startCluster, type Cluster } from './cluster.js';
import { overlap, onceFigures, onceViolations, rateFigures, within, achievedRate, type MessageRow } from './figures.js';
import { readyTenant, type ScaleTenant } from './tenants.js';

/**
 * The scale-out scenario shared by `bench/scale-out.ts` and `test/scaleOut.int.test.ts`: API and worker
 * processes on one database, tenants at different SES rates sending campaigns at once, SES events posted
 * to the API processes in turn, and live-metrics subscribers on every API process. It returns checks,
 * each a figure against a goal; the caller prints or asserts them.
 */
export type Goal = { atMost: number } | { atLeast: number };
/**
 * `needsIdleMachine`: met only when the machine has the CPU for every tenant's full rate (other work on a
 * shared 2-core machine slows every tenant alike); the bench requires it, the test reports it.
 */
export type Check = { name: string; value: number; goal: Goal; needsIdleMachine?: boolean };
export const isMet = (c: Check) => ('atMost' in c.goal ? c.value <= c.goal.atMost : c.value >= c.goal.atLeast);

export type ScaleOutOptions = {
  databaseUrl: string;
  apis: number;
  workers: number;
  tenants: { name: string; rate: number; recipients: number }[];
  /** The least the slowest tenant's achieved rate may be, as a fraction of its own, while every tenant sends. */
  fairShare: number;
  /** The least the slowest tenant's fraction of its rate may be next to the fastest tenant's fraction of its own. */
  relativeFairShare: number;
  /** How long the campaigns may take before what is left is cancelled and the checks run on what was done. */
  sendTimeoutS: number;
  events?: Partial<Omit<SimEventsOptions, 'random'>>;
  env?: Record<string, string>;
  log: (line: string) => void;
  /** Runs once the cluster and the tenants are ready, before the campaigns start (the test's statelessness checks). */
  beforeSend?: (cluster: Cluster, tenants: ScaleTenant[]) => Promise<void>;
};

export type ScaleOutResult = { checks: Check[]; cluster: { apiUrls: string[]; workers: number } };

export async function runScaleOut(opts: ScaleOutOptions): Promise<ScaleOutResult> {
  const { log } = opts;
  const sql = postgres(opts.databaseUrl, { max: 2, onnotice: () => {} });
  let cluster: Cluster | undefined;
  const subscribers: ReturnType<typeof subscribeMetrics>[] = [];
  try {
    const startedAt = performance.now();
    cluster = await startCluster({ databaseUrl: opts.databaseUrl, apis: opts.apis, workers: opts.workers, env: opts.env });
    if (opts.events) await cluster.sim.configureEvents(opts.events);
    log(`cluster: ${opts.apis} API processes (WORKER=off) at ${cluster.apiUrls.join(', ')}, ${opts.workers} worker processes, simulator at ${cluster.sim.url} (priority ${cluster.simulatorPriority}); up in ${secondsSince(startedAt)} s`);

    const c = cluster;
    const tenants: ScaleTenant[] = [];
    // Each tenant signs up on another API process; its cookie then serves on all of them.
    for (const [index, t] of opts.tenants.entries()) tenants.push(await readyTenant({ apiUrl: c.apiUrls[index % c.apiUrls.length]!, sim: c.sim, sql }, { ...t, index }));
    await opts.beforeSend?.(c, tenants);

    for (const t of tenants) for (const url of c.apiUrls) subscribers.push(subscribeMetrics(url, { cookie: t.agent.cookie }, t.campaignId));
    await until(() => subscribers.every((s) => s.received.length > 0), 30_000, 'every live-metrics subscriber has its first snapshot');

    const sendAt = performance.now();
    const cpuAtSend = processCpu(c);
    const machineAtSend = machineTicks();
    await c.sim.resetEventLoop();
    await Promise.all(tenants.map((t) => t.agent.trpc.campaigns.send.mutate({ id: t.campaignId })));
    const longest = Math.max(...tenants.map((t) => t.recipients / t.rate));
    log(`sending: ${tenants.map((t) => `${t.name} ${t.recipients.toLocaleString('en')} at ${t.rate}/s`).join(', ')} (the longest ~${longest.toFixed(0)} s)`);
    const allSent = await until(async () => (await campaignStatuses(sql, tenants)).every((s) => s === 'sent'), opts.sendTimeoutS * 1000).then(
      () => true,
      () => false,
    );
    const cpu = cpuReport(c, cpuAtSend, machineAtSend, (performance.now() - sendAt) / 1000);
    const loop = await c.sim.eventLoop();
    log(
      `simulator: its event loop ran late by p50 ${loop.p50Ms} ms, p99 ${loop.p99Ms} ms, at most ${loop.maxMs} ms while sending ` +
        `(it counts a send that waited for it as early as it may have arrived)`,
    );
    if (allSent) log(`sent: every campaign ${secondsSince(sendAt)} s after send; ${cpu}`);
    else {
      // The machine could not keep up: stop what is still sending (its queued messages end `cancelled`) and
      // check what did happen, so the report says how far it got instead of only that it timed out.
      log(`NOT all sent after ${opts.sendTimeoutS} s: ${await whereCampaignsStand(sql, tenants)}; ${cpu}; cancelling the rest`);
      await Promise.all(tenants.map((t) => t.agent.trpc.campaigns.cancel.mutate({ id: t.campaignId }).catch(() => undefined)));
      await until(async () => (await campaignStatuses(sql, tenants)).every((s) => s === 'sent' || s === 'cancelled'), 60_000, 'the campaigns stopped');
    }

    const settleAt = performance.now();
    const mismatched = await settledMetrics(c, sql, tenants, subscribers);
    log(`events settled ${secondsSince(settleAt)} s later: ${(await c.sim.eventStats()).posted.toLocaleString('en')} SNS notifications posted to ${c.apiUrls.length} API processes in turn`);

    const checks = await figuresAndChecks({ cluster: c, sql, tenants, fairShare: opts.fairShare, relativeFairShare: opts.relativeFairShare, log });
    checks.push({ name: `every campaign sent within ${opts.sendTimeoutS} s (1 = yes; else the rest was cancelled)`, value: allSent ? 1 : 0, goal: { atLeast: 1 }, needsIdleMachine: true });
    const subscriberErrors = subscribers.reduce((n, s) => n + s.errors.length, 0);
    log(`live metrics: ${subscribers.length} subscribers (${tenants.length} campaigns × ${c.apiUrls.length} API processes), ${mismatched} not equal to the database at the end, ${subscriberErrors} subscription errors`);
    checks.push({ name: 'live metrics: subscribers (on every API process) whose last state differs from campaigns.metrics, or that saw an error', value: mismatched + subscriberErrors, goal: { atMost: 0 } });
    return { checks, cluster: { apiUrls: c.apiUrls, workers: c.workers.length } };
  } finally {
    for (const s of subscribers) s.unsubscribe();
    await cluster?.stop();
    await sql.end({ timeout: 5 });
  }
}

const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

type ProcessCpu = { sim: number; apis: number[]; workers: number[]; own: number };
const processCpu = (c: Cluster): ProcessCpu => ({
  sim: cpuSeconds(c.sim.pid),
  apis: c.apis.map((p) => cpuSeconds(p.pid)),
  workers: c.workers.map((p) => cpuSeconds(p.pid)),
  own: cpuSeconds(process.pid),
});

/** Where the machine's time went while sending: each process's cores, and how busy the whole machine was (other work included). */
function cpuReport(c: Cluster, before: ProcessCpu, machineBefore: { busy: number; total: number }, seconds: number): string {
  const now = processCpu(c);
  const cores = (a: number, b: number) => ((a - b) / seconds).toFixed(2);
  const machine = machineTicks();
  const busy = (machine.busy - machineBefore.busy) / (machine.total - machineBefore.total);
  return (
    `cores used: simulator ${cores(now.sim, before.sim)}, API ${now.apis.map((a, i) => cores(a, before.apis[i]!)).join(' + ')}, ` +
    `workers ${now.workers.map((w, i) => cores(w, before.workers[i]!)).join(' + ')}, this process ${cores(now.own, before.own)}; machine busy ${(busy * 100).toFixed(0)} % of its ${os.cpus().length} cores`
  );
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'a condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await sleep(250);
  }
}

const campaignStatuses = async (sql: Sql, tenants: ScaleTenant[]) =>
  (await sql<{ status: string }[]>`select status from campaigns where id in ${sql(tenants.map((t) => t.campaignId))}`).map((r) => r.status);

/** Each campaign's status and its messages by status, for a timeout's message. */
async function whereCampaignsStand(sql: Sql, tenants: ScaleTenant[]): Promise<string> {
  const rows = await sql<{ id: string; status: string; messages: Record<string, number> | null }[]>`
    select c.id, c.status, (select jsonb_object_agg(s, n) from (select status::text as s, count(*) as n from messages where campaign_id = c.id group by 1) m) as messages
    from campaigns c where c.id in ${sql(tenants.map((t) => t.campaignId))}`;
  return rows.map((r) => `${tenants.find((t) => t.campaignId === r.id)?.name} ${r.status} ${JSON.stringify(r.messages)}`).join('; ');
}

/**
 * Waits until the SES events are all in (the simulator posted nothing new for 3 s: its last events,
 * opens and clicks, come seconds after the last send) and applied (no event pending), then until every
 * subscriber's last state equals `campaigns.metrics` (a fresh read of the database); answers how many
 * still differ after 30 s.
 */
async function settledMetrics(c: Cluster, sql: Sql, tenants: ScaleTenant[], subscribers: ReturnType<typeof subscribeMetrics>[]): Promise<number> {
  let posted = -1;
  let quietSince = performance.now();
  await until(
    async () => {
      const now = (await c.sim.eventStats()).posted;
      if (now !== posted) [posted, quietSince] = [now, performance.now()];
      const [pending] = await sql<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`;
      return performance.now() - quietSince > 3_000 && pending!.n === 0;
    },
    120_000,
    'the SES events are posted and applied',
  );
  let differing = subscribers.length;
  const deadline = performance.now() + 30_000;
  while (differing > 0 && performance.now() < deadline) {
    differing = 0;
    for (const [i, t] of tenants.entries()) {
      const fromDb = await t.agent.trpc.campaigns.metrics.query({ id: t.campaignId });
      const mine = subscribers.slice(i * c.apiUrls.length, (i + 1) * c.apiUrls.length);
      differing += mine.filter((s) => !isDeepStrictEqual(s.latest()?.data, fromDb)).length;
    }
    if (differing > 0) await sleep(500);
  }
  return differing;
}

async function figuresAndChecks(deps: {
  cluster: Cluster;
  sql: Sql;
  tenants: ScaleTenant[];
  fairShare: number;
  relativeFairShare: number;
  log: (line: string) => void;
}): Promise<Check[]> {
  const { cluster, sql, tenants, log } = deps;
  const checks: Check[] = [];
  const refusals = await cluster.sim.rateRefusals();
  const times: number[][] = [];
  for (const t of tenants) {
    // The account's every send counts against its rate; the campaign's own are what its rate and once figures are about.
    const accepted = await cluster.sim.messages(t.accountId);
    const ofCampaign = accepted.filter((m) => m.tags.herald_campaign === t.campaignId);
    const rows = await sql<MessageRow[]>`select id, status::text, provider_message_id as provider from messages where campaign_id = ${t.campaignId}`;
    const sortedTimes = (ms: typeof accepted) => ms.map((m) => Date.parse(m.acceptedAt)).sort((a, b) => a - b);
    const sorted = sortedTimes(ofCampaign);
    times.push(sorted);
    const rate = { ...rateFigures(sorted), busiestSecond: rateFigures(sortedTimes(accepted)).busiestSecond };
    const once = onceFigures(rows, ofCampaign);
    const refused = refusals[t.accountId] ?? 0;
    const statuses = Object.entries(countBy(rows.map((r) => r.status))).map(([s, n]) => `${s} ${n}`).join(', ');
    log(
      `${t.name} (${t.rate}/s): ${once.recipients} recipients; busiest second at the simulator ${rate.busiestSecond} (limit ${t.rate}; ${accepted.length - ofCampaign.length} other sends of the account); ` +
        `refused for the rate ${refused}; achieved ${rate.achieved.toFixed(2)}/s over its ${rate.spanS.toFixed(1)} s (first to last accept); ` +
        `sent and accepted once ${once.sent} + ended unsent ${once.otherTerminal} (unknown ${once.unknown}) = ${once.sent + once.otherTerminal}; not final ${once.notTerminal}, accepted twice ${once.acceptedTwice}, status and accepts disagree ${once.mismatched}, stray accepts ${once.strayAccepts}; statuses: ${statuses}`,
    );
    checks.push({ name: `rate ${t.name}: busiest second at the simulator / ${t.rate}`, value: rate.busiestSecond / t.rate, goal: { atMost: 1 } });
    checks.push({ name: `rate ${t.name}: sends the simulator refused for the rate (Herald tried more than ${t.rate} in a second)`, value: refused, goal: { atMost: 0 } });
    checks.push({ name: `exactly once ${t.name}: recipients − (sent + ended unsent) + accepted twice + stray accepts`, value: onceViolations(once), goal: { atMost: 0 } });
  }

  const together = overlap(times);
  if (!together) throw new Error('the campaigns never sent at the same time');
  const spanS = (together.to - together.from) / 1000;
  const shares = tenants.map((t, i) => achievedRate(within(times[i]!, together.from, together.to)) / t.rate);
  log(`fairness while all ${tenants.length} send (${spanS.toFixed(1)} s): ${tenants.map((t, i) => `${t.name} ${(shares[i]! * t.rate).toFixed(2)}/s = ${(shares[i]! * 100).toFixed(1)} % of ${t.rate}/s`).join(', ')}`);
  const slowest = tenants.reduce((a, b) => (b.rate < a.rate ? b : a));
  const fastest = tenants.reduce((a, b) => (b.rate > a.rate ? b : a));
  const slowestShare = shares[tenants.indexOf(slowest)]!;
  const fastestShare = shares[tenants.indexOf(fastest)]!;
  checks.push({ name: `fair: ${slowest.name}'s achieved rate while all send / its ${slowest.rate}/s`, value: slowestShare, goal: { atLeast: deps.fairShare }, needsIdleMachine: true });
  // A machine short of CPU slows every tenant; the big one must not take the small one's part of what is left.
  checks.push({ name: `fair: ${slowest.name}'s fraction of its rate / ${fastest.name}'s fraction of its rate`, value: slowestShare / fastestShare, goal: { atLeast: deps.relativeFairShare } });

  const sendingWorkers = cluster.workers.filter((w) => /"msg":"Completed task \d+ \(campaigns__send/.test(w.output())).length;
  log(`worker processes that ran send lanes: ${sendingWorkers} of ${cluster.workers.length}`);
  checks.push({ name: 'scale-out: worker processes that ran send lanes', value: sendingWorkers, goal: { atLeast: 2 } });
  return checks;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
