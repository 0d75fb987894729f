/**
 * bench/webhook: the SES event webhook (`POST /webhooks/email`) under a flood
 * of signed SNS notifications, and the processing that applies them (issue
 * goal: ≥ 1,500 notifications/s accepted, aim 3,000; p99 under 100 ms; none
 * lost; processing drains the backlog at least as fast as it is accepted).
 *
 * Herald runs as it is deployed, from server/src with tsx, in two layouts, one
 * after the other on the same database: `separate`, `main.ts` (API, WORKER=off)
 * and `worker.ts` as processes of their own, and `inline`, one `main.ts` with
 * the worker inside, as `npm start` runs it. LOG_LEVEL=info by default, as in
 * production (Fastify logs two lines per request), written to a file. Its
 * SNS_CERT_URL_ALLOW names a certificate host in this process that serves the
 * test signing certificate (server/test/fixtures/sns/). The tenant signs up
 * and connects a SES-simulator account over HTTP, so its aws_account_id is
 * set and it is connected; each run then gets fresh contacts and a campaign
 * whose N messages are inserted in SQL as `sent` with SES message ids (the
 * webhook is measured here, not sending).
 *
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
 * processed). Events still pending while no events__process job is queued or
 * running (for 2 s) would wait for the next event of their shard: they are
 * reported as stranded, then a job per shard is added, as storeEvents does, to
 * tell stranded from lost. Checks: one message_events row per SNS MessageId sent, all
 * `applied`; message statuses, open and click counts, suppressions and
 * contact statuses as the plan says. CPU seconds of the API, the worker, the
 * client and the database's Postgres backends come from /proc.
 *
 * Run: `npm run bench:webhook`, or `node --import tsx bench/webhook.ts [--database-url postgres://…/test]`
 * (no URL: DATABASE_URL, else an embedded Postgres in a temporary directory).
 * A fresh server runs a short uncounted run first (--warm-run-events, 0 for none): its JIT is cold.
 * Options: --events 20000 --concurrency 64 --runs 3 --warmup 2000 --baseline-requests 4000 --warm-run-events 3000
 * --layouts separate,inline --log-level info --profile-dir DIR (V8 CPU profiles of API and worker).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres, { type Sql } from 'postgres';
import { fixture, freePort, heraldMail, scratchDatabase, type ScratchDatabase, readyTenant, SNS_KEY_PEM, startCertHost, startClient, startNode, tail, type Client as HarnessClient, type Proc, type Tenant } from './harness.js';
import { machine, median, trpc } from './lib.js';
import { backendCpuSeconds, cpuSeconds, machineTicks, peakRssMb, startSimulatorProcess } from './send-procs.js';
import type { FireJob, FireResult, SignItem, SignJob, SignResult } from './webhook-client.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: '' },
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2000' },
    'baseline-requests': { type: 'string', default: '4000' },
    'warm-run-events': { type: 'string', default: '3000' },
    layouts: { type: 'string', default: 'separate,inline' },
    'log-level': { type: 'string', default: 'info' },
    'profile-dir': { type: 'string', default: '' },
  },
});
const eventsWanted = Number(args.events);
const concurrency = Number(args.concurrency);
const runs = Number(args.runs);
const baselineRequests = Number(args['baseline-requests']);
const warmRunEvents = Number(args['warm-run-events']);
const layouts = args.layouts.split(',').filter(Boolean) as Layout[];
const nodeArgs = args['profile-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['profile-dir'])}`] : [];
const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)} median [${xs.map((x) => x.toFixed(digits)).join(', ')}]`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-webhook-'));
const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;

type Layout = 'separate' | 'inline';

// --- processes (bench/harness.ts) ---

type Client = HarnessClient<SignJob | FireJob>;
const startWebhookClient = () => startClient<SignJob | FireJob>('bench/webhook-client.ts');
const startHeraldNode = (script: string, env: Record<string, string>, name: string) => startNode(script, env, { log: path.join(tmp, `${name}.log`), nodeArgs });

type Herald = { url: string; api: Proc; worker: Proc | null; stop: () => Promise<void> };

async function startHeraldProcesses(layout: Layout, databaseUrl: string, sql: Sql, sesEndpoint: string, allowPrefix: string, name: string): Promise<Herald> {
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SES_ENDPOINT: sesEndpoint,
    SES_SIMULATOR: 'off',
    SNS_CERT_URL_ALLOW: allowPrefix,
    ENCRYPTION_KEYS: encryptionKeys,
    LOG_LEVEL: args['log-level'],
    WEB_DIST: '/nonexistent',
  };
  const api = startHeraldNode('server/src/main.ts', { ...env, WORKER: layout === 'inline' ? 'inline' : 'off' }, `${name}-api`);
  const worker = layout === 'separate' ? startHeraldNode('server/src/worker.ts', env, `${name}-worker`) : null;
  const url = `http://127.0.0.1:${port}`;
  const database = new URL(databaseUrl).pathname.slice(1);
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${database} and query like 'LISTEN "jobs:insert"%'`;
    if (ready && row!.n >= 1) break;
    const dead = [api, worker].find((p) => p && p.child.exitCode !== null);
    if (dead || i > 600) throw new Error(`Herald did not start:\n${tail((dead ?? api).log)}`);
    await sleep(100);
  }
  return {
    url,
    api,
    worker,
    stop: async () => {
      await api.stop();
      await worker?.stop();
    },
  };
}

// --- the tenant's messages ---

type Message = { i: number; id: string; to: string; sesId: string };

/** `count` fresh contacts on the list and a campaign to them whose messages are all `sent` (SQL, as the pipeline leaves them). */
async function sentCampaign(url: string, sql: Sql, tenant: Tenant, tag: string, count: number): Promise<{ campaignId: string; messages: Message[] }> {
  const { id: campaignId } = await trpc<{ id: string }>(
    url,
    tenant.cookie,
    'campaigns.create',
    { name: `webhook ${tag}`, channel: 'email', subject: 'Autumn news', fromEmail: 'news@sender.test', fromName: 'Sender News', html: '<p>Hi</p>', listId: tenant.listId },
    'mutation',
  );
  const rows = await sql<{ id: string; to: string; sesId: string }[]>`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${tenant.tenantId}, ${tag} || '-' || i || '@inbox.test', 'Reader' || i from generate_series(1, ${count}) i
      returning id, email
    ), members as (
      insert into list_members (list_id, contact_id, tenant_id) select ${tenant.listId}, id, ${tenant.tenantId} from made
    )
    insert into messages (tenant_id, campaign_id, contact_id, to_address, status, provider_message_id, sending_at, sent_at)
    select ${tenant.tenantId}, ${campaignId}, id, email, 'sent',
      '0100019' || substr(md5(email), 1, 9) || '-' || gen_random_uuid() || '-000000', now() - interval '3 minutes', now() - interval '3 minutes'
    from made
    returning id, to_address as "to", provider_message_id as "sesId"`;
  await sql`update campaigns set status = 'sent', started_at = now() - interval '4 minutes', sent_at = now() - interval '3 minutes' where id = ${campaignId}`;
  await sql`analyze contacts, list_members, messages, message_events`;
  const messages = rows.map((r) => ({ ...r, i: Number(/-(\d+)@/.exec(r.to)![1]) })).sort((a, b) => a.i - b.i);
  return { campaignId, messages };
}

// --- the events ---

type EventType = 'Delivery' | 'Bounce' | 'Complaint' | 'Open' | 'Click';
const EVENTS_PER_MESSAGE = 1.56;
const templates = Object.fromEntries(
  (['delivery', 'bounce', 'complaint', 'open', 'click'] as const).map((name) => [name, fixture(`ses-events/${name}.json`)]),
) as Record<'delivery' | 'bounce' | 'complaint' | 'open' | 'click', string>;

/** Per 100 messages: #0 bounces, #1 is delivered and complained about, 2–41 are opened, 2–16 also clicked. */
function eventsOf(i: number): EventType[][] {
  const k = i % 100;
  const first: EventType[] = [k === 0 ? 'Bounce' : 'Delivery'];
  const second: EventType[] = [...(k === 1 ? ['Complaint' as const] : []), ...(k >= 2 && k <= 41 ? ['Open' as const] : [])];
  const third: EventType[] = k >= 2 && k <= 16 ? ['Click'] : [];
  return [first, second, third];
}

function expectations(messages: Message[]) {
  const statuses: Record<string, number> = {};
  let opens = 0;
  let clicks = 0;
  for (const m of messages) {
    const types = eventsOf(m.i).flat();
    const status = types.includes('Complaint') ? 'complained' : types.includes('Bounce') ? 'bounced' : types.includes('Click') ? 'clicked' : types.includes('Open') ? 'opened' : 'delivered';
    statuses[status] = (statuses[status] ?? 0) + 1;
    opens += types.filter((t) => t === 'Open').length;
    clicks += types.filter((t) => t === 'Click').length;
  }
  return { statuses, opens, clicks, suppressed: (statuses.bounced ?? 0) + (statuses.complained ?? 0) };
}

type Ctx = { tenant: Tenant; campaignId: string; topicArn: string; sentAt: string };

/** One SES event as SES publishes it through a configuration set, about message `m`. */
function sesEvent(ctx: Ctx, m: Message, type: EventType, at: Date, sendingAccountId = ctx.tenant.accountId): string {
  const name = type.toLowerCase() as keyof typeof templates;
  const event = JSON.parse(templates[name]) as Record<string, Record<string, unknown>>;
  const mail = event.mail!;
  Object.assign(mail, heraldMail({ accountId: sendingAccountId, tenantId: ctx.tenant.tenantId, campaignId: ctx.campaignId, messageId: m.id, sesId: m.sesId, to: m.to, sentAt: ctx.sentAt }));
  const detail = event[name]!;
  detail.timestamp = at.toISOString();
  if (type === 'Delivery') detail.recipients = [m.to];
  if (type === 'Bounce') detail.bouncedRecipients = [{ ...(detail.bouncedRecipients as object[])[0], emailAddress: m.to }];
  if (type === 'Complaint') detail.complainedRecipients = [{ emailAddress: m.to }];
  if (type === 'Click') detail.link = 'https://sender.test/autumn';
  return JSON.stringify(event);
}

/** The notifications of a run, in publishing order, and the wrong-account ones for the "verified, refused" baseline. */
function plan(ctx: Ctx, messages: Message[]): { events: SignItem[]; types: Record<string, number>; refused: SignItem[] } {
  const now = Date.now();
  const waves: SignItem[][] = [[], [], []];
  const types: Record<string, number> = {};
  for (const m of messages) {
    eventsOf(m.i).forEach((wave, w) => {
      for (const type of wave) {
        waves[w]!.push({ topicArn: ctx.topicArn, messageId: randomUUID(), message: sesEvent(ctx, m, type, new Date(now - (3 - w) * 30_000)) });
        types[type] = (types[type] ?? 0) + 1;
      }
    });
  }
  const refused = messages
    .slice(0, baselineRequests)
    .map((m) => ({ topicArn: ctx.topicArn, messageId: randomUUID(), message: sesEvent(ctx, m, 'Delivery', new Date(now), '999999999999') }));
  return { events: waves.flat(), types, refused };
}

/** Signs the items on both client processes at once (contiguous halves, so the files keep their order). */
async function signAll(clients: Client[], certUrl: string, items: SignItem[], name: string): Promise<{ files: string[]; ms: number }> {
  const started = performance.now();
  const half = Math.ceil(items.length / clients.length);
  const files = clients.map((_, i) => path.join(tmp, `${name}-${i}.ndjson`));
  await Promise.all(
    clients.map((c, i) => c.call<SignResult>({ kind: 'sign', certUrl, keyPem: SNS_KEY_PEM, items: items.slice(i * half, (i + 1) * half), file: files[i]! })),
  );
  return { files, ms: performance.now() - started };
}

// --- measuring ---

/**
 * Which Herald process holds each Postgres backend of the database ('api' or 'worker'): the client
 * port pg_stat_activity shows is a local port of one of the processes' sockets (/proc/<pid>/fd, /proc/net/tcp).
 */
async function backendOwners(sql: Sql, databaseUrl: string, herald: Herald): Promise<Map<number, string>> {
  const inodes = new Map<string, string>();
  for (const [name, proc] of [['api', herald.api], ['worker', herald.worker]] as const) {
    if (!proc) continue;
    for (const fd of readdirSync(`/proc/${proc.pid}/fd`)) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${proc.pid}/fd/${fd}`))?.[1];
        if (inode) inodes.set(inode, name);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports = new Map<number, string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const owner = f[9] ? inodes.get(f[9]) : undefined;
    if (owner) ports.set(parseInt(f[1]!.split(':')[1]!, 16), owner);
  }
  const rows = await sql<{ pid: number; port: number | null }[]>`
    select pid, client_port as port from pg_stat_activity where datname = ${new URL(databaseUrl).pathname.slice(1)}`;
  return new Map(rows.map((r) => [r.pid, (r.port !== null && ports.get(r.port)) || 'other']));
}

type CpuMark = { api: number; worker: number; client: number; db: Map<number, number>; owners: Map<number, string>; ticks: { busy: number; total: number }; at: number };

async function cpuMark(sql: Sql, databaseUrl: string, herald: Herald, client: Client): Promise<CpuMark> {
  return {
    api: cpuSeconds(herald.api.pid),
    worker: herald.worker ? cpuSeconds(herald.worker.pid) : 0,
    client: cpuSeconds(client.pid),
    db: await backendCpuSeconds(sql, databaseUrl),
    owners: await backendOwners(sql, databaseUrl, herald),
    ticks: machineTicks(),
    at: performance.now(),
  };
}

/** CPU seconds between two marks; `db*`: Postgres backends serving the API's and the worker's connections (and the bench's own). */
type CpuUse = { seconds: number; api: number; worker: number; client: number; db: number; dbApi: number; dbWorker: number; machineBusy: number; other: number };

function cpuUse(a: CpuMark, b: CpuMark): CpuUse {
  const dbBy = (owner?: string) =>
    [...b.db].filter(([pid]) => !owner || (b.owners.get(pid) ?? a.owners.get(pid)) === owner).reduce((sum, [pid, s]) => sum + s - (a.db.get(pid) ?? 0), 0);
  const busy = (b.ticks.busy - a.ticks.busy) / 100;
  const use = { seconds: (b.at - a.at) / 1000, api: b.api - a.api, worker: b.worker - a.worker, client: b.client - a.client, db: dbBy() };
  return {
    ...use,
    dbApi: dbBy('api'),
    dbWorker: dbBy('worker'),
    machineBusy: (b.ticks.busy - a.ticks.busy) / (b.ticks.total - a.ticks.total),
    other: busy - use.api - use.worker - use.client - use.db,
  };
}

/** Cores each process used; with the inline layout the API process runs the worker too (and holds all connections). */
const cores = (u: CpuUse, inline: boolean) =>
  inline
    ? `Herald (API and worker) ${(u.api / u.seconds).toFixed(2)}, Postgres ${(u.db / u.seconds).toFixed(2)}, client ${(u.client / u.seconds).toFixed(2)}, ` +
      `everything else ${(u.other / u.seconds).toFixed(2)} cores; machine busy ${(u.machineBusy * 100).toFixed(0)} %`
    : `API ${(u.api / u.seconds).toFixed(2)}, worker ${(u.worker / u.seconds).toFixed(2)}, Postgres ${(u.db / u.seconds).toFixed(2)} (API's ${(u.dbApi / u.seconds).toFixed(2)}, worker's ${(u.dbWorker / u.seconds).toFixed(2)}), ` +
      `client ${(u.client / u.seconds).toFixed(2)}, everything else ${(u.other / u.seconds).toFixed(2)} cores; machine busy ${(u.machineBusy * 100).toFixed(0)} %`;
/** CPU ms per request of each process. */
const perRequest = (u: CpuUse, requests: number, inline: boolean) => {
  const ms = (s: number) => ((s / requests) * 1000).toFixed(3);
  return inline
    ? `Herald ${ms(u.api)}, Postgres ${ms(u.db)}, client ${ms(u.client)} CPU ms per request`
    : `API ${ms(u.api)}, worker ${ms(u.worker)}, Postgres ${ms(u.db)} (API's ${ms(u.dbApi)}, worker's ${ms(u.dbWorker)}), client ${ms(u.client)} CPU ms per request`;
};

type Baseline = { name: string; result: FireResult; cpu: CpuUse };

type Run = {
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

async function oneRun(ctxBase: { sql: Sql; databaseUrl: string; herald: Herald; tenant: Tenant; clients: Client[]; certUrl: string }, tag: string, eventCount: number): Promise<Run> {
  const { sql, databaseUrl, herald, tenant, clients, certUrl } = ctxBase;
  const loader = clients[0]!;
  const messageCount = Math.max(100, Math.round(eventCount / EVENTS_PER_MESSAGE));
  const { campaignId, messages } = await sentCampaign(herald.url, sql, tenant, tag, messageCount);
  const ctx: Ctx = { tenant, campaignId, topicArn: `arn:aws:sns:us-east-1:${tenant.accountId}:herald-ses-events`, sentAt: new Date(Date.now() - 180_000).toISOString() };
  const { events, types, refused } = plan(ctx, messages);
  const signed = await signAll(clients, certUrl, [...events, ...refused], `${tag}-signed`);
  // The signed files hold the events first, then the refused ones: split them into phase files.
  const lines = signed.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const write = (name: string, ls: string[]) => {
    const file = path.join(tmp, `${tag}-${name}.ndjson`);
    writeFileSync(file, `${ls.join('\n')}\n`);
    return file;
  };
  const eventsFile = write('events', lines.slice(0, events.length));
  const verifiedRefusedFile = write('verified-refused', lines.slice(events.length));
  const earlyRefusedFile = write('early-refused', lines.slice(0, baselineRequests).map((l) => l.replace('"SignatureVersion":"2"', '"SignatureVersion":"3"')));
  const loadBefore = load();

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

  const stillPending = async () => (await sql<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`)[0]!.n;
  let maxBacklog = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxBacklog = Math.max(maxBacklog, await stillPending());
      await sleep(500);
    }
  })();
  const before = await cpuMark(sql, databaseUrl, herald, loader);
  const fire = await loader.call<FireResult>({ kind: 'fire', url: herald.url, method: 'POST', path: '/webhooks/email', files: [eventsFile], concurrency, warmup: Math.min(Number(args.warmup), Math.floor(events.length / 4)) });
  const fired = await cpuMark(sql, databaseUrl, herald, loader);
  sampling = false;
  await sampler;
  const backlogAtEnd = await stillPending();
  maxBacklog = Math.max(maxBacklog, backlogAtEnd);
  // Until nothing is pending. Pending events with no events__process job queued or running for any
  // shard will never be taken (nothing schedules one until the next event arrives): they are reported
  // as stranded, then a job per shard is added the way storeEvents adds them, to show they are not lost.
  const queuedJobs = async () =>
    (await sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'events__process'`)[0]!.n;
  const deadline = Date.now() + 600_000;
  let stranded: { events: number; shards: number[]; lastProcessed: number | null } | null = null;
  for (let idle = 0; Date.now() < deadline; ) {
    const pending = await stillPending();
    if (pending === 0) break;
    idle = (await queuedJobs()) === 0 ? idle + 1 : 0;
    if (idle >= 20 && !stranded) {
      const shards = (await sql<{ shard: number }[]>`select distinct shard from message_events where state = 'pending' order by shard`).map((r) => r.shard);
      const [last] = await sql<{ at: number | null }[]>`select extract(epoch from max(processed_at))::float8 * 1000 as at from message_events where state <> 'pending'`;
      stranded = { events: pending, shards, lastProcessed: last!.at };
      await sql`select graphile_worker.add_job('events__process', json_build_object('shard', s), job_key := 'events__process:' || s) from unnest(${shards}::int[]) s`;
      idle = 0;
    }
    await sleep(100);
  }
  const drained = await cpuMark(sql, databaseUrl, herald, loader);
  for (const file of [...signed.files, eventsFile, verifiedRefusedFile, earlyRefusedFile]) rmSync(file);

  const ids = events.map((e) => e.messageId);
  const [stored] = await sql<{ n: number; applied: number; lastProcessed: number | null }[]>`
    select count(*)::int as n, count(*) filter (where state = 'applied')::int as applied,
      extract(epoch from max(processed_at))::float8 * 1000 as "lastProcessed"
    from message_events where sns_message_id = any(${ids})`;
  const problems: string[] = [];
  const non200 = Object.entries(fire.statuses).filter(([s]) => s !== '200');
  if (non200.length > 0) problems.push(`non-200 answers ${JSON.stringify(Object.fromEntries(non200))}: ${fire.refusals.join(' | ')}`);
  if (stored!.n !== new Set(ids).size) problems.push(`${stored!.n} message_events rows for ${new Set(ids).size} SNS MessageIds sent`);
  if (stored!.applied !== stored!.n) problems.push(`${stored!.n - stored!.applied} events not applied`);
  if (stranded) {
    problems.push(
      `${stranded.events} event(s) of shard(s) ${stranded.shards.join(', ')} stayed pending with no events__process job queued or running (2 s after the last one ended); ` +
        `applied once a job was added for their shard(s): ${stored!.applied === stored!.n ? 'yes' : 'NO'}`,
    );
  }
  const expected = expectations(messages);
  const statusRows = await sql<{ status: string; n: number; opens: number; clicks: number }[]>`
    select status, count(*)::int as n, sum(open_count)::int as opens, sum(click_count)::int as clicks from messages where campaign_id = ${campaignId} group by status`;
  const statuses = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
  const opens = statusRows.reduce((a, r) => a + r.opens, 0);
  const clicks = statusRows.reduce((a, r) => a + r.clicks, 0);
  if (JSON.stringify(Object.entries(statuses).sort()) !== JSON.stringify(Object.entries(expected.statuses).sort())) {
    problems.push(`message statuses ${JSON.stringify(statuses)}, expected ${JSON.stringify(expected.statuses)}`);
  }
  if (opens !== expected.opens || clicks !== expected.clicks) problems.push(`open/click counts ${opens}/${clicks}, expected ${expected.opens}/${expected.clicks}`);
  const [side] = await sql<{ suppressed: number; marked: number }[]>`
    select (select count(*)::int from suppressions where tenant_id = ${tenant.tenantId} and email like ${`${tag}-%`}) as suppressed,
      (select count(*)::int from contacts where tenant_id = ${tenant.tenantId} and email like ${`${tag}-%`} and status in ('bounced', 'complained')) as marked`;
  if (side!.suppressed !== expected.suppressed || side!.marked !== expected.suppressed) {
    problems.push(`${side!.suppressed} suppressions and ${side!.marked} contacts marked, expected ${expected.suppressed} each`);
  }
  // With stranded events, the drain ends where processing stopped by itself.
  const lastProcessed = stranded?.lastProcessed ?? stored!.lastProcessed ?? Date.now();
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
    loadAfter: load(),
    types,
  };
}

const lat = (r: FireResult) => `p50 ${r.latencyMs.p50.toFixed(1)} / p95 ${r.latencyMs.p95.toFixed(1)} / p99 ${r.latencyMs.p99.toFixed(1)} / max ${r.latencyMs.max.toFixed(1)} ms`;

// --- main ---

let database: ScratchDatabase | null = null;
const certHost = await startCertHost();
const sim = await startSimulatorProcess();
const clients = [startWebhookClient(), startWebhookClient()];
const summary: Record<string, unknown>[] = [];
/** Herald's logs stay in the temporary directory when something went wrong. */
let keepLogs = false;
try {
  database = await scratchDatabase(args['database-url'] ?? '', path.join(tmp, 'postgres'));
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const [pg] = await sql<{ version: string }[]>`select split_part(version(), ' on ', 1) as version`;
  say(
    `machine: ${machine()}, ${pg!.version}${database.embedded ? ' (embedded)' : ''}; ${new Date().toISOString()}; load average ${load()}; ` +
      `${eventsWanted.toLocaleString('en')} events per run, concurrency ${concurrency}, LOG_LEVEL=${args['log-level']}, layouts ${layouts.join(', ')}`,
  );
  let tenant: Tenant | null = null;
  for (const layout of layouts) {
    const herald = await startHeraldProcesses(layout, database.url, sql, sim.url, certHost.allowPrefix, layout);
    const results: Run[] = [];
    const inline = layout === 'inline';
    try {
      tenant ??= await readyTenant(herald.url, sql, sim, { name: 'Webhook', accessKeyId: 'BENCHWEBHOOKKEY00001', secretAccessKey: 'bench-webhook-secret', accountId: '310000000001' });
      const setup = { sql, databaseUrl: database.url, herald, tenant, clients, certUrl: certHost.certUrl };
      // A fresh server's first thousands of requests run cold (JIT); a short run first, not counted.
      if (warmRunEvents > 0) {
        const w = await oneRun(setup, `${layout}0`, warmRunEvents);
        say(`warm-up run (${layout}, not counted): ${w.events.toLocaleString('en')} notifications, accepted ${w.fire.acceptedPerSecond.toFixed(0)}/s, checks ${w.problems.length === 0 ? 'ok' : w.problems.join('; ')}`);
        if (w.problems.length > 0) keepLogs = true;
      }
      for (let run = 0; run < runs; run++) {
        const r = await oneRun(setup, `${layout}${run + 1}`, eventsWanted);
        results.push(r);
        if (r.problems.length > 0) keepLogs = true;
        for (const b of r.baselines) say(`  baseline ${b.name}: ${b.result.acceptedPerSecond > 0 ? b.result.acceptedPerSecond.toFixed(0) : (b.result.measured / b.result.seconds).toFixed(0)}/s, ${lat(b.result)}, statuses ${JSON.stringify(b.result.statuses)}; ${perRequest(b.cpu, b.result.requests, inline)}`);
        say(
          `run ${run + 1} (${layout}): ${r.events.toLocaleString('en')} notifications about ${r.messages.toLocaleString('en')} messages (signed in ${(r.signMs / 1000).toFixed(1)} s beforehand); ` +
            `accepted ${r.fire.acceptedPerSecond.toFixed(0)}/s over ${r.fire.measured.toLocaleString('en')} measured requests, ${lat(r.fire)}; statuses ${JSON.stringify(r.fire.statuses)}; ` +
            `backlog max ${r.maxBacklog}, ${r.backlogAtEnd} at the last accept; drain ${(r.drainMs / 1000).toFixed(2)} s after it; processing ${r.processingPerSecond.toFixed(0)} events/s (first accept → last processed); ` +
            `events ${JSON.stringify(r.types)}; checks: ${r.problems.length === 0 ? 'none lost, all applied, statuses as planned' : r.problems.join('; ')}; ` +
            `while firing: ${cores(r.fireCpu, inline)}, ${perRequest(r.fireCpu, r.fire.requests, inline)}; while draining (${r.drainCpu.seconds.toFixed(1)} s): ${cores(r.drainCpu, inline)}; ` +
            `accepted per second: ${r.fire.timeline.join(' ')}; load average ${r.loadBefore} → ${r.loadAfter}`,
        );
      }
    } finally {
      const rss = [herald.api, herald.worker].flatMap((p) => (p && p.child.exitCode === null ? [peakRssMb(p.pid).toFixed(0)] : []));
      await herald.stop();
      say(`${layout}: peak RSS (MB) API${herald.worker ? ', worker' : ' with worker'} ${rss.join(', ')}`);
    }
    const healthz = results.map((r) => r.baselines[0]!.result);
    const early = results.map((r) => r.baselines[1]!.result);
    const verified = results.map((r) => r.baselines[2]!.result);
    const rate = (r: FireResult) => r.measured / r.seconds;
    const accepted = results.map((r) => r.fire.acceptedPerSecond);
    const perEvent = (cpu: (r: Run) => number) => median(results.map((r) => (cpu(r) / r.fire.requests) * 1000)).toFixed(2);
    say(
      `${layout}: ${eventsWanted.toLocaleString('en')} signed notifications, ${concurrency} connections: accepted ${fmt(accepted)}/s; ` +
        `latency p50 ${fmt(results.map((r) => r.fire.latencyMs.p50), 1)} ms, p95 ${fmt(results.map((r) => r.fire.latencyMs.p95), 1)} ms, p99 ${fmt(results.map((r) => r.fire.latencyMs.p99), 1)} ms, max ${fmt(results.map((r) => r.fire.latencyMs.max), 1)} ms; ` +
        `non-200 ${results.map((r) => r.fire.requests - (r.fire.statuses['200'] ?? 0)).join('/')}; ` +
        `drain after the last accept ${fmt(results.map((r) => r.drainMs / 1000), 2)} s; processing ${fmt(results.map((r) => r.processingPerSecond))} events/s; ` +
        `checks ${results.map((r) => (r.problems.length === 0 ? 'ok' : 'FAILED')).join('/')}; events stranded pending ${results.map((r) => r.stranded).join('/')}; ` +
        `baselines: GET /healthz ${fmt(healthz.map(rate))}/s (webhook ${(median(accepted) / median(healthz.map(rate))).toFixed(2)}×), ` +
        `refused before verification ${fmt(early.map(rate))}/s (${(median(accepted) / median(early.map(rate))).toFixed(2)}×), ` +
        `verified then refused ${fmt(verified.map(rate))}/s (${(median(accepted) / median(verified.map(rate))).toFixed(2)}×); ` +
        (inline
          ? `CPU ms per accepted notification while firing: Herald ${perEvent((r) => r.fireCpu.api)}, Postgres ${perEvent((r) => r.fireCpu.db)}, client ${perEvent((r) => r.fireCpu.client)}; `
          : `CPU ms per accepted notification while firing: API ${perEvent((r) => r.fireCpu.api)}, worker ${perEvent((r) => r.fireCpu.worker)}, ` +
            `Postgres ${perEvent((r) => r.fireCpu.db)} (API's ${perEvent((r) => r.fireCpu.dbApi)}, worker's ${perEvent((r) => r.fireCpu.dbWorker)}), client ${perEvent((r) => r.fireCpu.client)}; `) +
        `median of ${runs} runs`,
    );
    summary.push({
      layout,
      events: eventsWanted,
      concurrency,
      runs,
      logLevel: args['log-level'],
      acceptedPerSecond: median(accepted),
      acceptedRuns: accepted.map(Math.round),
      latencyMs: {
        p50: median(results.map((r) => r.fire.latencyMs.p50)),
        p95: median(results.map((r) => r.fire.latencyMs.p95)),
        p99: median(results.map((r) => r.fire.latencyMs.p99)),
        max: median(results.map((r) => r.fire.latencyMs.max)),
      },
      non200: results.reduce((n, r) => n + r.fire.requests - (r.fire.statuses['200'] ?? 0), 0),
      drainSeconds: median(results.map((r) => r.drainMs / 1000)),
      processingPerSecond: median(results.map((r) => r.processingPerSecond)),
      maxBacklog: median(results.map((r) => r.maxBacklog)),
      checksPassed: results.every((r) => r.problems.length === 0),
      stranded: results.map((r) => r.stranded),
      baselines: { healthz: median(healthz.map(rate)), refusedEarly: median(early.map(rate)), verifiedRefused: median(verified.map(rate)) },
      loadAverage: results.map((r) => `${r.loadBefore} → ${r.loadAfter}`),
    });
  }
  await sql.end();
  say(JSON.stringify({ bench: 'webhook', at: new Date().toISOString(), machine: machine(), results: summary }));
} catch (err) {
  keepLogs = true;
  throw err;
} finally {
  await Promise.all(clients.map((c) => c.stop()));
  await sim.stop();
  await certHost.stop();
  await database?.close();
  if (keepLogs) say(`Herald's logs: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
