/**
 * The client side of bench/metrics.ts, forked as processes of their own so
 * that signing, firing and hundreds of SSE subscribers share neither the
 * bench's event loop nor Herald's. Driven over IPC, one job at a time:
 *  - `sign`: signs SNS notifications as SNS does (server/src/dev/snsMessages.ts,
 *    RSA-2048 with the test key) and writes one envelope per line to a file;
 *  - `fire`: POSTs the envelopes of some files to the webhook at a steady
 *    rate (request i is due at start + i / rate, whatever the answers do),
 *    over keep-alive connections, and reports when each 200 came back;
 *  - `subscribe`: opens `count` subscriptions to `campaigns.onMetrics` the way
 *    a browser does (tRPC's httpSubscriptionLink over the `eventsource`
 *    package, with the session cookie; like server/test/metricsSubscriber.ts),
 *    or with `client: 'plain'` as bare GETs read by a line parser, and answers
 *    once each has its first snapshot;
 *  - `finish`: waits until every subscription shows at least `delivered`
 *    deliveries (or a timeout), closes them and reports every update each one
 *    received: its arrival time, its `delivered` count and its event id.
 * Times are epoch milliseconds with sub-millisecond precision
 * (performance.timeOrigin + performance.now()), comparable across processes
 * on one machine.
 */
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AppRouter } from '../server/src/routers/index.js';
import { sign, type SignJob } from './sign-job.js';
import { snsRequest } from './snsRequest.js';


export type FireJob = { kind: 'fire'; url: string; files: string[]; rate: number; maxSockets: number };
export type FireResult = {
  kind: 'fired';
  requests: number;
  statuses: Record<string, number>;
  refusals: string[];
  /** Epoch ms at which each 200 came back, in request order (NaN for the others). */
  acceptedAt: number[];
  /** Per-request latency (answer − actual start), ms, sorted. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** How late requests started against their schedule, ms: p99 and max (the pacing held if small). */
  startLagMs: { p99: number; max: number };
  /** First scheduled start → last answer, s; 200s per second over it. */
  seconds: number;
  acceptedPerSecond: number;
  cpuSeconds: number;
};

/** `trpc`: tRPC's httpSubscriptionLink over the `eventsource` package (fetch, web streams); `plain`: node:http and a line parser, about what a browser's native EventSource costs. */
export type SubscriberClient = 'trpc' | 'plain';
export type SubscribeJob = { kind: 'subscribe'; url: string; cookie: string; campaignId: string; count: number; timeoutMs: number; client: SubscriberClient };
export type SubscribeResult = { kind: 'subscribed'; count: number; ready: number; ms: number; errors: string[] };
export type FinishJob = { kind: 'finish'; delivered: number; timeoutMs: number };
/** One subscriber's updates: arrival times (epoch ms) and `counts.delivered`, in arrival order; the snapshot first. */
export type SubscriberRecord = { at: number[]; delivered: number[]; lastId: string | null; errors: string[]; states: string[] };
export type FinishResult = { kind: 'finished'; subscribers: SubscriberRecord[]; waitedMs: number; cpuSeconds: number };

export type ClientJob = SignJob | FireJob | SubscribeJob | FinishJob;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

type Request = { body: Buffer; headers: http.OutgoingHttpHeaders };

function requestsOf(files: string[]): Request[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(snsRequest),
  );
}

async function fire(job: FireJob): Promise<FireResult> {
  const requests = requestsOf(job.files);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.maxSockets });
  const target = new URL('/webhooks/email', job.url);
  const statuses: Record<string, number> = {};
  const refusals: string[] = [];
  const acceptedAt = new Array<number>(requests.length).fill(NaN);
  const latencies = new Float64Array(requests.length);
  const lags = new Float64Array(requests.length);
  const cpuBefore = process.cpuUsage();
  const send = (r: Request) =>
    new Promise<{ status: number; body: string | null }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: r.headers }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => status !== 200 && chunks.push(c));
        res.on('end', () => resolve({ status, body: status === 200 ? null : Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(r.body);
    });
  const one = async (i: number, startedAt: number) => {
    let status = 0;
    try {
      const answer = await send(requests[i]!);
      status = answer.status;
      if (answer.body !== null && refusals.length < 5) refusals.push(`${status} ${answer.body.slice(0, 300)}`);
    } catch (err) {
      if (refusals.length < 5) refusals.push(`request failed: ${String(err)}`);
    }
    const end = now();
    latencies[i] = end - startedAt;
    if (status === 200) acceptedAt[i] = end;
    statuses[status] = (statuses[status] ?? 0) + 1;
  };

  const interval = 1000 / job.rate;
  const start = now() + 20;
  const inFlight: Promise<void>[] = [];
  let next = 0;
  while (next < requests.length) {
    const t = now();
    while (next < requests.length && start + next * interval <= t) {
      lags[next] = t - (start + next * interval);
      inFlight.push(one(next, t));
      next += 1;
    }
    if (next < requests.length) await sleep(Math.max(0, Math.min(start + next * interval - now(), 5)));
  }
  await Promise.all(inFlight);
  agent.destroy();

  const answered = acceptedAt.filter((a) => !Number.isNaN(a));
  const end = answered.reduce((a, b) => Math.max(a, b), start);
  const accepted = answered.length;
  const sortedLatencies = latencies.slice().sort();
  const sortedLags = lags.slice().sort();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    kind: 'fired',
    requests: requests.length,
    statuses,
    refusals,
    acceptedAt,
    latencyMs: { p50: percentile(sortedLatencies, 50), p95: percentile(sortedLatencies, 95), p99: percentile(sortedLatencies, 99), max: sortedLatencies.at(-1) ?? 0 },
    startLagMs: { p99: percentile(sortedLags, 99), max: sortedLags.at(-1) ?? 0 },
    seconds: (end - start) / 1000,
    acceptedPerSecond: accepted / ((end - start) / 1000),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

type Subscriber = SubscriberRecord & { unsubscribe: () => void };
let subscribers: Subscriber[] = [];
let cpuAtSubscribe = process.cpuUsage();

function trpcSubscriber(job: SubscribeJob): Subscriber {
  const record: Subscriber = { at: [], delivered: [], lastId: null, errors: [], states: [], unsubscribe: () => {} };
  const client = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${job.url}/trpc`,
        EventSource,
        eventSourceOptions: () => ({
          fetch: (input: string | URL, init?: RequestInit) => {
            const headers = new Headers(init?.headers);
            headers.set('cookie', job.cookie);
            return fetch(input, { ...init, headers });
          },
        }),
      }),
    ],
  });
  const subscription = client.campaigns.onMetrics.subscribe(
    { id: job.campaignId },
    {
      onData: (event) => {
        record.at.push(now());
        record.delivered.push(event.data.counts.delivered);
        record.lastId = event.id;
      },
      onError: (err) => void record.errors.push(String(err)),
      onConnectionStateChange: (state) => void record.states.push(state.state),
    },
  );
  record.unsubscribe = () => subscription.unsubscribe();
  return record;
}

/** The same subscription read straight off a socket: one GET, SSE frames split on blank lines (no reconnects: a drop is an error). */
function plainSubscriber(job: SubscribeJob): Subscriber {
  const record: Subscriber = { at: [], delivered: [], lastId: null, errors: [], states: ['connecting'], unsubscribe: () => {} };
  const path = `/trpc/campaigns.onMetrics?input=${encodeURIComponent(JSON.stringify({ id: job.campaignId }))}`;
  const req = http.get(`${job.url}${path}`, { headers: { cookie: job.cookie, accept: 'text/event-stream' }, agent: false }, (res) => {
    record.states.push('pending');
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const arrived = now();
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'serialized-error') record.errors.push(data ?? 'error');
        if (event !== undefined || data === undefined) continue;
        record.at.push(arrived);
        record.delivered.push((JSON.parse(data) as { counts: { delivered: number } }).counts.delivered);
        record.lastId = /^id: (.*)$/m.exec(frame)?.[1] ?? null;
      }
    });
    res.on('end', () => void (record.states.at(-1) !== 'idle' && record.errors.push('stream ended')));
  });
  req.on('error', (err) => void (record.states.at(-1) !== 'idle' && record.errors.push(String(err))));
  record.unsubscribe = () => {
    record.states.push('idle');
    req.destroy();
  };
  return record;
}

async function subscribe(job: SubscribeJob): Promise<SubscribeResult> {
  const started = performance.now();
  cpuAtSubscribe = process.cpuUsage();
  subscribers = Array.from({ length: job.count }, () => (job.client === 'plain' ? plainSubscriber(job) : trpcSubscriber(job)));
  const deadline = performance.now() + job.timeoutMs;
  const ready = () => subscribers.filter((s) => s.at.length > 0).length;
  while (ready() < job.count && performance.now() < deadline && subscribers.every((s) => s.errors.length === 0)) await sleep(20);
  return { kind: 'subscribed', count: job.count, ready: ready(), ms: performance.now() - started, errors: subscribers.flatMap((s) => s.errors).slice(0, 5) };
}

async function finish(job: FinishJob): Promise<FinishResult> {
  const started = performance.now();
  const deadline = started + job.timeoutMs;
  const caughtUp = () => subscribers.every((s) => (s.delivered.at(-1) ?? -1) >= job.delivered);
  while (!caughtUp() && performance.now() < deadline) await sleep(10);
  const waitedMs = performance.now() - started;
  for (const s of subscribers) s.unsubscribe();
  const cpu = process.cpuUsage(cpuAtSubscribe);
  const result = subscribers.map(({ at, delivered, lastId, errors, states }) => ({ at, delivered, lastId, errors, states }));
  subscribers = [];
  return { kind: 'finished', subscribers: result, waitedMs, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

process.on('message', (job: ClientJob | { kind: 'exit' }) => {
  if (job.kind === 'exit') process.exit(0);
  const work: Promise<unknown> =
    job.kind === 'sign' ? Promise.resolve().then(() => sign(job)) : job.kind === 'fire' ? fire(job) : job.kind === 'subscribe' ? subscribe(job) : finish(job);
  work.then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
