/**
 * The client side of bench/webhook.ts, forked as processes of their own so
 * that neither signing nor firing shares an event loop with the bench (or
 * with Herald). Driven over IPC:
 *  - `sign`: signs SNS notifications as SNS does (server/src/dev/snsMessages.ts,
 *    RSA-2048 with the test key) and writes one envelope per line to a file;
 *    two of these run side by side before anything is timed.
 *  - `fire`: sends requests from body files (or a GET) over keep-alive
 *    connections, `concurrency` at a time, and reports status counts, the
 *    accept rate and per-request latency of the requests after `warmup`.
 * Per request it only takes a pre-built Buffer, writes it and waits for the
 * answer, so it stays cheap next to the server it loads.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { sign, type SignJob } from './sign-job.js';
import { snsRequest } from './snsRequest.js';

export type FireJob = {
  kind: 'fire';
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** NDJSON files of SNS envelopes, sent in order (POST); for GET, `count` requests without a body. */
  files: string[];
  count?: number;
  concurrency: number;
  /** The first `warmup` requests are sent but not measured. */
  warmup: number;
};
export type Latency = { p50: number; p95: number; p99: number; max: number; mean: number };
export type FireResult = {
  kind: 'fired';
  requests: number;
  statuses: Record<string, number>;
  /** A few answers that were not 200, with their bodies. */
  refusals: string[];
  /** Requests after the warm-up: count, seconds from the first one's start to the last one's end, 200s per second. */
  measured: number;
  seconds: number;
  acceptedPerSecond: number;
  latencyMs: Latency;
  /** Epoch ms of the first and last 200 of the whole phase (warm-up included). */
  firstAcceptAt: number;
  lastAcceptAt: number;
  /** 200s finished in each wall-clock second of the phase, from its start. */
  timeline: number[];
  cpuSeconds: number;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

type Request = { body: Buffer | null; headers: http.OutgoingHttpHeaders };

function requestsOf(job: FireJob): Request[] {
  if (job.method === 'GET') return Array.from({ length: job.count ?? 0 }, () => ({ body: null, headers: {} }));
  return job.files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(snsRequest),
  );
}

async function fire(job: FireJob): Promise<FireResult> {
  const requests = requestsOf(job);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.path, job.url);
  const statuses: Record<string, number> = {};
  const refusals: string[] = [];
  const latencies = new Float64Array(requests.length);
  const ends = new Float64Array(requests.length);
  const starts = new Float64Array(requests.length);
  const ok = new Uint8Array(requests.length);
  const cpuBefore = process.cpuUsage();
  const send = (r: Request) =>
    new Promise<{ status: number; body: string | null }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: job.method, agent, headers: r.headers }, (res) => {
        const status = res.statusCode ?? 0;
        if (status === 200) {
          res.resume();
          res.on('end', () => resolve({ status, body: null }));
        } else {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
        }
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(r.body ?? undefined);
    });

  let next = 0;
  const phaseStart = performance.now();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      starts[i] = performance.now();
      let status: number;
      try {
        const answer = await send(requests[i]!);
        status = answer.status;
        if (answer.body !== null && refusals.length < 5) refusals.push(`${status} ${answer.body.slice(0, 300)}`);
      } catch (err) {
        status = 0;
        if (refusals.length < 5) refusals.push(`request failed: ${String(err)}`);
      }
      ends[i] = performance.now();
      latencies[i] = ends[i]! - starts[i]!;
      ok[i] = status === 200 ? 1 : 0;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  agent.destroy();

  const warmup = Math.min(job.warmup, requests.length - 1);
  const measuredLatencies = Array.from(latencies.subarray(warmup)).sort((a, b) => a - b);
  let lastEnd = 0;
  let measuredOk = 0;
  for (let i = warmup; i < requests.length; i++) {
    lastEnd = Math.max(lastEnd, ends[i]!);
    measuredOk += ok[i]!;
  }
  // The measured phase starts when its first request starts (requests start in index order).
  const seconds = (lastEnd - starts[warmup]!) / 1000;
  let firstAccept = Infinity;
  let lastAccept = 0;
  const timeline: number[] = [];
  for (let i = 0; i < requests.length; i++) {
    if (!ok[i]) continue;
    firstAccept = Math.min(firstAccept, ends[i]!);
    lastAccept = Math.max(lastAccept, ends[i]!);
    const second = Math.floor((ends[i]! - phaseStart) / 1000);
    timeline[second] = (timeline[second] ?? 0) + 1;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const epoch = (t: number) => performance.timeOrigin + t;
  return {
    kind: 'fired',
    requests: requests.length,
    statuses,
    refusals,
    measured: requests.length - warmup,
    seconds,
    acceptedPerSecond: measuredOk / seconds,
    latencyMs: {
      p50: percentile(measuredLatencies, 50),
      p95: percentile(measuredLatencies, 95),
      p99: percentile(measuredLatencies, 99),
      max: measuredLatencies.at(-1) ?? 0,
      mean: measuredLatencies.reduce((a, b) => a + b, 0) / Math.max(1, measuredLatencies.length),
    },
    firstAcceptAt: Number.isFinite(firstAccept) ? epoch(firstAccept) : 0,
    lastAcceptAt: lastAccept ? epoch(lastAccept) : 0,
    timeline: Array.from(timeline, (n) => n ?? 0),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.on('message', (job: SignJob | FireJob | { kind: 'exit' }) => {
  if (job.kind === 'exit') process.exit(0);
  const work = job.kind === 'sign' ? Promise.resolve().then(() => sign(job)) : fire(job);
  work.then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
