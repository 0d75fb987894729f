/**
 * bench/send: the send pipeline end to end (issue "Campaigns and the sending
 * pipeline", performance section). Herald's API runs in this process; the
 * workers (server/src/worker.ts) and the SES simulator (cli/ses-sim.ts) run as
 * processes of their own, on a scratch database. Three parts:
 *  - rate: 1,000 recipients at 14/s (the tenant's cap; the simulator account
 *    allows 1,000/s, so it never throttles and its accept times show what
 *    Herald's limiter did), with 1 and with 3 worker processes: achieved rate
 *    and the most accepted sends in any sliding second.
 *  - ceiling: no cap (simulator 1,000,000/s), 20,000 recipients, emails/s from
 *    `send` to campaign `sent`, per worker count × WORKER_CONCURRENCY and
 *    simulator latency (0 and 50 ms per call).
 *  - fanout: 100,000 and 1,000,000 list members materialized as queued
 *    messages (runFanOut in this process until done, no workers), against a
 *    INSERT … SELECT of the same rows into a table shaped like messages.
 * The simulator's first calls are slower than the rest (cold code), so it is
 * warmed up first (warmSimulator); CPU time of workers, simulator and Postgres
 * backends is read from /proc, as is everything else the machine did meanwhile.
 * Run: `npm run bench:send` (about 25 min), or `node --import tsx bench/send.ts --database-url postgres://…/test`.
 * Options: --parts rate,ceiling,fanout --runs 3; rate: --workers 1,3 --sends 1000 --rate 14;
 * ceiling: --recipients 20000 --configs 1x10,1x20,2x10 (processes × WORKER_CONCURRENCY) --latencies 0,50;
 * fanout: --sizes 100000,1000000 --million-runs 3; --profile-dir DIR: CPU profiles of workers and simulator.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import postgres from 'postgres';
import { runFanOut } from '../server/src/sending/fanOut.js';
import { laneCount } from '../server/src/sending/lanes.js';
import { sendInterval } from '../server/src/sending/rateLimiter.js';
import { batchSize } from '../server/src/sending/sendLane.js';
import { createTestDatabase } from '../server/src/testing/database.js';
import { maxSendsInAnyWindow } from '../server/src/testing/sendWindows.js';
import { benchArgs, checkGoal, fmt, machine, median, profileArgs, say } from './lib.js';
import { backendCpuSeconds, cpuSeconds, machineTicks, startClient } from './procs.js';
import type { SdkSendJob, SdkSendResult } from './sdk-client.js';
import { startSimulatorProcess, startWorkers, type WorkerProcesses } from './send-procs.js';
import { campaignLikeRaw, createCampaign, readyTenant, seedContacts, sendCampaign, simAccountBody, startApi, statusCounts, warmSimulator, type Tenant } from './send-tenant.js';

const args = benchArgs({
  parts: { type: 'string', default: 'rate,ceiling,fanout' },
  runs: { type: 'string', default: '3' },
  workers: { type: 'string', default: '1,3' },
  sends: { type: 'string', default: '1000' },
  rate: { type: 'string', default: '14' },
  recipients: { type: 'string', default: '20000' },
  configs: { type: 'string', default: '1x10,1x20,2x10' },
  latencies: { type: 'string', default: '0,50' },
  sizes: { type: 'string', default: '100000,1000000' },
  'million-runs': { type: 'string', default: '3' },
  'profile-dir': { type: 'string', default: '' },
});
const runs = Number(args.runs);
const millionRuns = Number(args['million-runs']);
const list = (s: string) => s.split(',').filter(Boolean).map(Number);
const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
const load = () => os.loadavg()[0]!.toFixed(1);
/** With --profile-dir, workers and the simulator write V8 CPU profiles there when they stop. */
const nodeArgs = profileArgs(args['profile-dir']!);
const sim = await startSimulatorProcess(nodeArgs);
type Api = Awaited<ReturnType<typeof startApi>>;

/** A scratch database (migrated) with Herald's API on it, for one part. */
async function withDatabase(fn: (api: Api, databaseUrl: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(args['database-url']!);
  const api = await startApi(database.url, sim.url, encryptionKeys);
  try {
    await fn(api, database.url);
  } finally {
    await api.stop();
    await database.drop();
  }
}

type Run = {
  /** started_at → sent_at on the database clock. */
  seconds: number;
  counts: Record<string, number>;
  /** Simulator accept times of this campaign's messages, epoch ms, sorted. */
  accepted: number[];
  distinctMessages: number;
  firstAcceptAfterMs: number;
  workerCpu: number[];
  simCpu: number;
  /** Postgres backends of the scratch database (connections that ended during the run are missed). */
  dbCpu: number;
  /** Whole machine: busy fraction, and CPU seconds of everything else on it (other work, Postgres's own processes). */
  machineBusy: number;
  otherCpu: number;
};

/** Creates and sends a campaign to the tenant's list, waits for `sent`, and gathers what the simulator accepted. */
async function sendAndWait(api: Api, databaseUrl: string, tenant: Tenant, workers: WorkerProcesses, recipients: number, timeoutMs: number): Promise<Run> {
  const id = await createCampaign(api, tenant, `bench ${new Date().toISOString()}`);
  await sim.reset();
  const cpuBefore = workers.cpuSeconds();
  const simBefore = cpuSeconds(sim.pid);
  const dbBefore = await backendCpuSeconds(api.deps.sql, databaseUrl);
  const ticksBefore = machineTicks();
  const benchBefore = process.cpuUsage();
  const deadline = performance.now() + timeoutMs;
  await sendCampaign(api, tenant, id);
  let state: { status: string; startedAt: number; sentAt: number | null } | undefined;
  for (;;) {
    [state] = await api.deps.sql<{ status: string; startedAt: number; sentAt: number | null }[]>`
      select status, extract(epoch from started_at)::float8 * 1000 as "startedAt", extract(epoch from sent_at)::float8 * 1000 as "sentAt"
      from campaigns where id = ${id}`;
    if (state?.status !== 'sending') break;
    if (performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ticks = machineTicks();
  const benchCpu = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(benchBefore));
  const workerCpu = workers.cpuSeconds().map((s, i) => s - cpuBefore[i]!);
  const simCpu = cpuSeconds(sim.pid) - simBefore;
  const dbCpu = [...(await backendCpuSeconds(api.deps.sql, databaseUrl))].reduce((sum, [pid, s]) => sum + s - (dbBefore.get(pid) ?? 0), 0);
  const counts = await statusCounts(api, id);
  // A campaign that ends `sent` with other statuses is a finding, reported with the run; one that never ends is not.
  if (state?.status !== 'sent') throw new Error(`campaign is ${state?.status} with ${JSON.stringify(counts)}; worker logs:\n${workers.logs().slice(-20).join('\n')}`);
  const mine = (await sim.messages(tenant.accountId)).filter((m) => m.tags.herald_campaign === id);
  const accepted = mine.map((m) => Date.parse(m.acceptedAt)).sort((a, b) => a - b);
  return {
    seconds: (state.sentAt! - state.startedAt) / 1000,
    counts,
    accepted,
    distinctMessages: new Set(mine.map((m) => m.tags.herald_message)).size,
    firstAcceptAfterMs: accepted[0]! - state.startedAt,
    workerCpu,
    simCpu,
    dbCpu,
    machineBusy: (ticks.busy - ticksBefore.busy) / (ticks.total - ticksBefore.total),
    otherCpu: (ticks.busy - ticksBefore.busy) / 100 - workerCpu.reduce((a, b) => a + b, 0) - simCpu - dbCpu - benchCpu,
  };
}

/** The shortest time spanned by rate + 1 consecutive accepts: under 1000 ms means rate + 1 in one second; the limiter aims for 1000 × 1.02. */
const tightestSpan = (r: Run, rate: number) => Math.min(...r.accepted.slice(rate).map((t, i) => t - r.accepted[i]!));
const steadyRate = (r: Run) => (r.accepted.length - 1) / ((r.accepted.at(-1)! - r.accepted[0]!) / 1000);
const once = (r: Run, recipients: number) => (r.accepted.length === recipients && r.distinctMessages === recipients ? 'yes' : `NO (${r.accepted.length} accepted, ${r.distinctMessages} distinct)`);
const allSent = (results: Run[], recipients: number) => results.map((r) => (r.counts.sent === recipients ? once(r, recipients) : `NO ${JSON.stringify(r.counts)}`)).join('/');
/** The workers' warnings and errors, counted by message. */
function warningSummary(workers: WorkerProcesses): string {
  const message = (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg ?? line;
    } catch {
      return line;
    }
  };
  return JSON.stringify(workers.warnings().reduce<Record<string, number>>((n, line) => ({ ...n, [message(line)]: (n[message(line)] ?? 0) + 1 }), {}));
}
const workerOptions = (api: Api, databaseUrl: string, concurrency: number) => ({ sql: api.deps.sql, databaseUrl, sesEndpoint: sim.url, encryptionKeys, concurrency, nodeArgs });

async function ratePart(): Promise<void> {
  const sends = Number(args.sends);
  const rate = Number(args.rate);
  await withDatabase(async (api, databaseUrl) => {
    const tenant = await readyTenant(api, sim, 'Rate', { maxSendRate: 1000 });
    await api.deps.sql`update tenant_channel_settings set rate_limit_per_sec = ${rate} where tenant_id = ${tenant.tenantId}`;
    await seedContacts(api, tenant, sends);
    await warmSimulator(sim, tenant);
    for (const count of list(args.workers!)) {
      const workers = await startWorkers(count, workerOptions(api, databaseUrl, 10));
      const results: Run[] = [];
      try {
        for (let run = 0; run < runs; run++) {
          const r = await sendAndWait(api, databaseUrl, tenant, workers, sends, 120_000 + (sends / rate) * 3_000);
          results.push(r);
          say(
            `rate run ${run + 1}, ${count} worker process(es): ${steadyRate(r).toFixed(2)}/s, max ${maxSendsInAnyWindow(r.accepted)} in any 1 s (${rate + 1} consecutive accepts span ≥ ${tightestSpan(r, rate)} ms), ` +
              `statuses ${JSON.stringify(r.counts)}, each message accepted exactly once: ${once(r, sends)}, CPU s: workers [${r.workerCpu.map((s) => s.toFixed(1)).join(', ')}], everything else on the machine ${r.otherCpu.toFixed(1)}; load average ${load()}`,
          );
        }
      } finally {
        say(`rate: ${count} worker process(es), warnings logged ${warningSummary(workers)}`);
        await workers.stop();
      }
      say(
        `rate: ${sends.toLocaleString('en')} recipients at ${rate}/s (tenant cap; simulator allows 1,000/s), ${count} worker process(es): ` +
          `achieved ${fmt(results.map(steadyRate), 2)}/s (first to last SES accept); max accepted in any sliding 1 s window ${fmt(results.map((r) => maxSendsInAnyWindow(r.accepted)), 0)} (limit ${rate}); ` +
          `tightest span of ${rate + 1} consecutive accepts ${fmt(results.map((r) => tightestSpan(r, rate)), 0)} ms (nominal ${Math.round(rate * sendInterval(rate))}); send → sent ${fmt(results.map((r) => r.seconds), 1)} s; ` +
          `all sent and each accepted exactly once: ${allSent(results, sends)}; median of ${runs} runs`,
      );
    }
  });
}

async function ceilingPart(): Promise<void> {
  const recipients = Number(args.recipients);
  await withDatabase(async (api, databaseUrl) => {
    const tenant = await readyTenant(api, sim, 'Ceiling', { maxSendRate: 1_000_000 });
    await seedContacts(api, tenant, recipients);
    await warmSimulator(sim, tenant);
    for (const config of args.configs!.split(',')) {
      const [count, concurrency] = config.split('x').map(Number) as [number, number];
      const workers = await startWorkers(count, workerOptions(api, databaseUrl, concurrency));
      // The SDK alone gets as many calls in flight as the campaign's lanes can have at most.
      const inFlight = laneCount(1_000_000, concurrency) * batchSize(1_000_000);
      try {
        for (const latencyMs of list(args.latencies!)) {
          await sim.putAccount(tenant.accessKeyId, simAccountBody(tenant.secretAccessKey, tenant.accountId, { maxSendRate: 1_000_000, failures: { latencyMs } }));
          const results: Run[] = [];
          const sdkRuns: SdkSendResult[] = [];
          const perEmail = (cpu: (r: Run) => number) => median(results.map((r) => (cpu(r) / recipients) * 1000)).toFixed(2);
          for (let run = 0; run < runs; run++) {
            const r = await sendAndWait(api, databaseUrl, tenant, workers, recipients, 120_000 + recipients * 20);
            results.push(r);
            sdkRuns.push(await sdkAlone(api, tenant, recipients, inFlight));
            say(`ceiling run ${run + 1}: the SDK alone, ${inFlight} calls in flight: ${(recipients / sdkRuns.at(-1)!.seconds).toFixed(0)}/s (${sdkRuns.at(-1)!.cpuSeconds.toFixed(1)} CPU s)`);
            say(
              `ceiling run ${run + 1}, ${count} × WORKER_CONCURRENCY=${concurrency}, SES latency ${latencyMs} ms: ${(recipients / r.seconds).toFixed(0)}/s send → sent (${r.seconds.toFixed(1)} s), ` +
                `${steadyRate(r).toFixed(0)}/s first → last accept, first accept after ${r.firstAcceptAfterMs.toFixed(0)} ms; exactly once: ${once(r, recipients)}; statuses ${JSON.stringify(r.counts)}; ` +
                `CPU s: workers [${r.workerCpu.map((s) => s.toFixed(1)).join(', ')}], simulator ${r.simCpu.toFixed(1)}, Postgres ${r.dbCpu.toFixed(1)}, everything else ${r.otherCpu.toFixed(1)}; machine busy ${(r.machineBusy * 100).toFixed(0)} %; load average ${load()}`,
            );
          }
          say(
            `ceiling: ${recipients.toLocaleString('en')} recipients, ${count} worker process(es) × WORKER_CONCURRENCY=${concurrency}, SES latency ${latencyMs} ms: ` +
              `${fmt(results.map((r) => recipients / r.seconds), 0)} emails/s send → sent; ${fmt(results.map(steadyRate), 0)}/s first → last accept; ` +
              `CPU ms per email: workers ${perEmail((r) => r.workerCpu.reduce((a, b) => a + b, 0))}, simulator ${perEmail((r) => r.simCpu)}, Postgres backends ${perEmail((r) => r.dbCpu)}; ` +
              `everything else on the machine used ${fmt(results.map((r) => r.otherCpu / r.seconds), 2)} cores; machine busy ${fmt(results.map((r) => r.machineBusy * 100), 0)} %; ` +
              `all sent and each accepted exactly once: ${allSent(results, recipients)}; median of ${runs} runs`,
          );
          const sdkRate = median(sdkRuns.map((r) => recipients / r.seconds));
          const pipelineRate = median(results.map((r) => recipients / r.seconds));
          say(`ceiling: the SDK alone against the same simulator, ${inFlight} SendRawEmail calls in flight, latency ${latencyMs} ms: ${fmt(sdkRuns.map((r) => recipients / r.seconds), 0)} calls/s; pipeline ${pipelineRate.toFixed(0)} emails/s`);
          checkGoal(`send pipeline ${count} × ${concurrency}, SES latency ${latencyMs} ms / SDK alone`, pipelineRate / sdkRate, { atLeast: 0.8 });
        }
      } finally {
        say(`ceiling: worker peak RSS (MB) ${workers.peakRssMb().map((m) => m.toFixed(0)).join(', ')}; warnings logged ${warningSummary(workers)}`);
        await workers.stop();
      }
    }
  });
}

/** The limit of the ceiling part: the same number of SendRawEmail calls from the SDK alone, in a process of its own. */
async function sdkAlone(api: Api, tenant: Tenant, count: number, concurrency: number): Promise<SdkSendResult> {
  const [channel] = await api.deps.sql<{ name: string | null }[]>`
    select configuration_set_name as name from tenant_channel_settings where tenant_id = ${tenant.tenantId}`;
  await sim.reset();
  const client = startClient<SdkSendJob>('bench/sdk-client.ts');
  try {
    const result = await client.call<SdkSendResult>({
      kind: 'sdk-send',
      endpoint: sim.url,
      credentials: { accessKeyId: tenant.accessKeyId, secretAccessKey: tenant.secretAccessKey },
      raw: campaignLikeRaw('Reader1'),
      count,
      concurrency,
      configurationSetName: channel?.name ?? null,
    });
    if (result.failed > 0) throw new Error(`the SDK alone: ${result.failed} of ${count} calls failed, first: ${result.firstError}`);
    return result;
  } finally {
    await client.stop();
  }
}

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

async function fanOutPart(): Promise<void> {
  await withDatabase(async (api) => {
    const { sql } = api.deps;
    for (const size of list(args.sizes!)) {
      const tenant = await readyTenant(api, sim, `Fanout${size}`, { maxSendRate: 14 });
      let started = performance.now();
      await seedContacts(api, tenant, size);
      say(`fan-out: seeded ${size.toLocaleString('en')} contacts and list members in ${((performance.now() - started) / 1000).toFixed(1)} s (set-based SQL, then VACUUM ANALYZE)`);
      const times: number[] = [];
      const baselines: number[] = [];
      const rss = { before: 0, peak: 0 };
      const sizeRuns = size >= 1_000_000 ? millionRuns : runs;
      for (let run = 0; run < sizeRuns; run++) {
        const id = await createCampaign(api, tenant, `fan-out ${size} ${run}`);
        rss.before = rssMb();
        rss.peak = rss.before;
        const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, rssMb())), 50);
        started = performance.now();
        await sendCampaign(api, tenant, id);
        const sent = performance.now();
        let slices = 1;
        while ((await runFanOut(api.deps, id)) !== 'done') slices++;
        const seconds = (performance.now() - started) / 1000;
        clearInterval(sampler);
        const counts = await statusCounts(api, id);
        if (counts.queued !== size) throw new Error(`fan-out made ${JSON.stringify(counts)}`);
        times.push(seconds);

        // The limit: the same rows in one INSERT … SELECT into a table of the same shape as messages
        // (columns, defaults, constraints and indexes; not its foreign keys or counter triggers, which are Herald's cost).
        await sql`create table bench_fan_out (like messages including all)`;
        const baselineStart = performance.now();
        await sql`
          insert into bench_fan_out (tenant_id, campaign_id, contact_id, to_address, status) select lm.tenant_id, ${id}, ct.id, ct.email, 'queued'
          from list_members lm join contacts ct on ct.id = lm.contact_id where lm.list_id = ${tenant.listId}`;
        baselines.push((performance.now() - baselineStart) / 1000);
        await sql`drop table bench_fan_out`;
        // Each run starts from the same table sizes.
        if (run < sizeRuns - 1) {
          await sql`update campaigns set status = 'cancelled' where id = ${id}`;
          await sql`delete from campaigns where id = ${id}`;
          await sql`vacuum analyze messages`;
        }
        say(
          `fan-out run ${run + 1}, ${size.toLocaleString('en')} members: ${seconds.toFixed(2)} s from send (send call ${((sent - started) / 1000).toFixed(2)} s, ${slices} runFanOut slice(s)), ` +
            `${Math.round(size / seconds).toLocaleString('en')} rows/s; baseline ${baselines.at(-1)!.toFixed(2)} s; process RSS ${rss.before.toFixed(0)} → peak ${rss.peak.toFixed(0)} MB; load average ${load()}`,
        );
      }
      say(
        `fan-out: ${size.toLocaleString('en')} list members → queued messages: ${fmt(times, 2)} s from send to fanned out; ` +
          `baseline INSERT … SELECT into a table shaped like messages ${fmt(baselines, 2)} s; ` +
          `bench process RSS ${rss.before.toFixed(0)} MB before, ${rss.peak.toFixed(0)} MB peak during the last run; ${times.length} run(s)`,
      );
      if (size >= 1_000_000) checkGoal(`fan-out of ${size.toLocaleString('en')} / INSERT … SELECT`, median(times) / median(baselines), { atMost: 1.5 });
    }
  });
}

try {
  const admin = postgres(args['database-url']!, { max: 1, onnotice: () => {} });
  const [pg] = await admin<{ version: string }[]>`select split_part(version(), ' on ', 1) as version`;
  await admin.end();
  say(`machine: ${machine()}, ${pg!.version}; ${new Date().toISOString()}; load average ${load()}; simulator in its own process`);
  const parts: Record<string, () => Promise<void>> = { rate: ratePart, ceiling: ceilingPart, fanout: fanOutPart };
  for (const part of args.parts!.split(',')) await parts[part]!();
} finally {
  await sim.stop();
}
