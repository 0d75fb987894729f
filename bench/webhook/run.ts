/**
 * Per run, before any timing, two client processes (bench/webhook-client.ts)
 * sign the notifications (event publishing format, like
 * server/test/fixtures/ses-events): per 100 messages 99 Delivery, 1 Bounce
 * (Permanent), 1 Complaint, 40 Open, 15 Click: 1.56 events per message, so
 * N = events / 1.56. They go in the order SES would publish them: deliveries
 * and bounces, then opens and complaints, then clicks. One client process then
 * fires each phase at a fixed concurrency over keep-alive connections:
 *  - baselines, same concurrency, same server: `GET /healthz`; notifications
 *    refused before verification (SignatureVersion 3: HTTP, JSON and envelope
 *    parsing only, 403); notifications refused after verification (signed, but
 *    mail.sendingAccountId is another account: + certificate check and RSA
 *    verify and SES event parsing, 403, no database);
 *  - the notifications: warm-up requests, then the measured ones: accepted/s
 *    (200s per second of wall time), latency p50/p95/p99/max, non-200s.
 * Then the drain: from the last accept until no event is pending (the latest
 * processed_at), and the processing rate: events / (first accept → last
 * processed). Events still pending while their number does not go down for
 * 2 s are not being drained: they are reported as stranded, then a job per
 * shard is added, as the sweep does, to tell stranded from lost. Checks: one message_events row per SNS MessageId sent, all
 * `applied`; message statuses, open and click counts, suppressions and
 * contact statuses as the plan says. CPU seconds of the API, the worker, the
 * client and the database's Postgres backends come from /proc.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { topicArnOf, type Tenant } from '../event-tenant.js';
import type { EventsBench } from '../harness.js';
import { loadAverages } from '../lib.js';
import type { Client } from '../procs.js';
import { signAll } from '../sns.js';
import type { SignJob } from '../sign-job.js';
import type { FireJob, FireResult } from '../webhook-client.js';
import { sentCampaign } from './campaign.js';
import { checkRun } from './checks.js';
import { cpuMark, cpuUse, type CpuUse } from './cpu.js';
import { drain, pendingEvents, sampleBacklog } from './drain.js';
import { EVENTS_PER_MESSAGE, plan, type EventsContext } from './events.js';
import type { WebhookHerald } from './herald.js';
import type { WebhookOptions } from './options.js';


/** One baseline phase: what was fired, and the CPU it took. */
export type Baseline = { name: string; result: FireResult; cpu: CpuUse };

export type Run = {
  events: number;
  messages: number;
  signMs: number;
  baselines: Baseline[];
  fire: FireResult;
  fireCpu: CpuUse;
  drainCpu: CpuUse;
  /** Pending events sampled while firing (max) and right after the last accept. */
  maxBacklog: number;
  backlogAtEnd: number;
  /** Last accept → last processed_at, ms; events / (first accept → last processed), per second. */
  drainMs: number;
  processingPerSecond: number;
  stranded: number;
  problems: string[];
  types: Record<string, number>;
  loadBefore: string;
  loadAfter: string;
};

/** One run of `eventCount` notifications: sign, fire the baselines and the notifications, drain, check. */
export async function oneRun(
  ctxBase: { bench: EventsBench; herald: WebhookHerald; tenant: Tenant; clients: Client<SignJob | FireJob>[]; opts: WebhookOptions },
  tag: string,
  eventCount: number,
): Promise<Run> {
  const { bench, herald, tenant, clients, opts } = ctxBase;
  const { sql } = bench;
  const databaseUrl = bench.database.url;
  const { concurrency, baselineRequests } = opts;
  const loader = clients[0]!;
  const messageCount = Math.max(100, Math.round(eventCount / EVENTS_PER_MESSAGE));
  const { campaignId, messages } = await sentCampaign(herald.url, sql, tenant, tag, messageCount);
  const ctx: EventsContext = { tenant, campaignId, topicArn: topicArnOf(tenant.accountId), sentAt: new Date(Date.now() - 180_000).toISOString() };
  const { events, types, refused } = plan(ctx, messages, baselineRequests);
  const signed = await signAll(clients, bench.certHost.certUrl, [...events, ...refused], path.join(bench.tmp, `${tag}-signed`));
  // The signed files hold the events first, then the refused ones: split them into phase files.
  const lines = signed.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const write = (name: string, ls: string[]) => {
    const file = path.join(bench.tmp, `${tag}-${name}.ndjson`);
    writeFileSync(file, `${ls.join('\n')}\n`);
    return file;
  };
  const eventsFile = write('events', lines.slice(0, events.length));
  const verifiedRefusedFile = write('verified-refused', lines.slice(events.length));
  const earlyRefusedFile = write('early-refused', lines.slice(0, baselineRequests).map((l) => l.replace('"SignatureVersion":"2"', '"SignatureVersion":"3"')));
  const loadBefore = loadAverages();

  const base = { kind: 'fire', url: herald.url, concurrency, warmup: Math.floor(baselineRequests / 5) } as const;
  const phases: [string, FireJob][] = [
    ['GET /healthz', { ...base, method: 'GET', path: '/healthz', files: [], count: baselineRequests }],
    ['refused before verification (403)', { ...base, method: 'POST', path: '/webhooks/email', files: [earlyRefusedFile] }],
    ['verified, then refused (403, no database)', { ...base, method: 'POST', path: '/webhooks/email', files: [verifiedRefusedFile] }],
  ];
  const baselines: Baseline[] = [];
  for (const [name, job] of phases) {
    const start = await cpuMark(sql, databaseUrl, herald, loader);
    const result = await loader.call<FireResult>(job);
    baselines.push({ name, result, cpu: cpuUse(start, await cpuMark(sql, databaseUrl, herald, loader)) });
  }

  const backlog = sampleBacklog(sql);
  const before = await cpuMark(sql, databaseUrl, herald, loader);
  const fire = await loader.call<FireResult>({ kind: 'fire', url: herald.url, method: 'POST', path: '/webhooks/email', files: [eventsFile], concurrency, warmup: Math.min(opts.warmup, Math.floor(events.length / 4)) });
  const fired = await cpuMark(sql, databaseUrl, herald, loader);
  let maxBacklog = await backlog.stop();
  const backlogAtEnd = await pendingEvents(sql);
  maxBacklog = Math.max(maxBacklog, backlogAtEnd);
  const stranded = await drain(sql);
  const drained = await cpuMark(sql, databaseUrl, herald, loader);
  for (const file of [...signed.files, eventsFile, verifiedRefusedFile, earlyRefusedFile]) rmSync(file);

  const ids = events.map((e) => e.messageId);
  const { problems, lastProcessed } = await checkRun(sql, { tenant, tag, campaignId, messages, ids, fire, stranded });
  return {
    events: events.length,
    messages: messages.length,
    signMs: signed.ms,
    baselines,
    fire,
    fireCpu: cpuUse(before, fired),
    drainCpu: cpuUse(fired, drained),
    maxBacklog,
    backlogAtEnd,
    drainMs: Math.max(0, lastProcessed - fire.lastAcceptAt),
    processingPerSecond: (events.length - (stranded?.events ?? 0)) / ((lastProcessed - fire.firstAcceptAt) / 1000),
    stranded: stranded?.events ?? 0,
    problems,
    loadBefore,
    loadAfter: loadAverages(),
    types,
  };
}
