/**
 * bench/transactional: how many transactional emails per second the send
 * endpoint (`POST /api/v1/emails`) accepts (issue goal: ≥ 2,000/s on this
 * machine), with a baseline of `GET /healthz` in the same invocation, so a
 * busy machine shows in both. Herald runs in this process (HTTP only, no
 * worker: the endpoint is measured, not SES), with the local SES simulator
 * and the demo account; the load comes from a child process with its own
 * event loop. Each request is a small text email to a distinct address.
 * How transactional emails fare against a saturating campaign is measured by
 * server/test/transactionalPriority.int.test.ts (it prints its figures).
 *
 * Run: `node --import tsx bench/transactional.ts [--database-url postgres://…/test] [--requests 20000] [--concurrency 64] [--runs 3]`
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { benchArgs, fmt, loadAverages, machine, median, say, signUp, trpc } from './lib.js';

type Load = { url: string; path: string; method: 'GET' | 'POST'; headers: Record<string, string>; requests: number; concurrency: number; tag: string };
type LoadResult = { perSecond: number; p50: number; p99: number; failures: string[] };

/**
 * The load: node:http over keep-alive connections with every body built
 * before the clock starts, so the client stays cheap next to the server it
 * loads (fetch costs more CPU per request than Herald's health check).
 */
async function fire(load: Load): Promise<LoadResult> {
  const target = new URL(load.path, load.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.concurrency });
  const bodies = Array.from({ length: load.requests }, (_, i) =>
    load.method === 'POST' ? Buffer.from(JSON.stringify({ from: 'Demo <demo@herald.test>', to: `r${i}-${load.tag}@inbox.test`, subject: 'Your code', text: `Code ${i}` })) : null,
  );
  const latencies: number[] = [];
  const failures: string[] = [];
  const send = (body: Buffer | null) =>
    new Promise<number>((resolve, reject) => {
      const headers = { ...load.headers, ...(body ? { 'content-length': body.length } : {}) };
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: load.method, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < load.requests) {
      const i = next++;
      const t = performance.now();
      const status = await send(bodies[i] ?? null).catch(() => 0);
      latencies.push(performance.now() - t);
      if ((status < 200 || status >= 300) && failures.length < 5) failures.push(`HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { perSecond: load.requests / seconds, p50: latencies[Math.floor(latencies.length / 2)] ?? 0, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, failures };
}

if (process.argv.includes('--client')) {
  // The load comes from a process of its own, so it never shares an event loop with Herald.
  process.on('message', (load: Load) => void fire(load).then((result) => process.send?.(result)));
  process.on('disconnect', () => process.exit(0));
} else {
  const opts = benchArgs({ requests: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' } });
  const requests = Number(opts.requests);
  const concurrency = Number(opts.concurrency);
  const runs = Number(opts.runs);
  const client = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inThread = async (load: Load) => {
    const answer = once(client, 'message');
    client.send(load);
    return (await answer)[0] as LoadResult;
  };

  const { startTestHerald, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY } = await import('../server/src/testing/index.js');
  const adminUrl = opts['database-url'] || process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('give --database-url (a Postgres where a database may be created)');
  const herald = await startTestHerald(adminUrl, { env: { SES_SIMULATOR: 'on', LOG_LEVEL: 'warn' }, roles: { http: true, worker: false } });
  try {
    const cookie = await signUp(herald.url, 'Transactional');
    await trpc(herald.url, cookie, 'channels.email.connect', { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1', senderEmail: 'demo@herald.test' }, 'mutation');
    const { key } = await trpc<{ key: string }>(herald.url, cookie, 'apiKeys.create', { name: 'bench' }, 'mutation');
    say(`machine: ${machine()}; ${new Date().toISOString()}; load average ${loadAverages()}; ${requests.toLocaleString('en')} requests per run, concurrency ${concurrency}, ${runs} runs`);
    const warm = { url: herald.url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, concurrency };
    await inThread({ ...warm, path: '/api/v1/emails', method: 'POST', requests: 2000, tag: 'warm' });
    const base: number[] = [];
    const sent: LoadResult[] = [];
    for (let run = 0; run < runs; run++) {
      const healthz = await inThread({ ...warm, path: '/healthz', method: 'GET', headers: {}, requests, tag: `h${run}` });
      const emails = await inThread({ ...warm, path: '/api/v1/emails', method: 'POST', requests, tag: `r${run}` });
      base.push(healthz.perSecond);
      sent.push(emails);
      say(`run ${run + 1}: healthz ${healthz.perSecond.toFixed(0)}/s; emails accepted ${emails.perSecond.toFixed(0)}/s (p50 ${emails.p50.toFixed(1)} ms, p99 ${emails.p99.toFixed(1)} ms)${emails.failures.length ? `; failures: ${emails.failures.join(', ')}` : ''}`);
    }
    const [stored] = await herald.deps.sql<{ n: number }[]>`select count(*)::int as n from emails`;
    say(`emails accepted/s: ${fmt(sent.map((s) => s.perSecond), 0)}; p50 ${fmt(sent.map((s) => s.p50), 1)} ms; p99 ${fmt(sent.map((s) => s.p99), 1)} ms`);
    say(`baseline GET /healthz/s: ${fmt(base, 0)}; ratio emails/healthz ${median(sent.map((s, i) => s.perSecond / (base[i] as number))).toFixed(2)}`);
    say(`stored: ${stored?.n.toLocaleString('en')} emails (expected ${(requests * runs + 2000).toLocaleString('en')})`);
  } finally {
    client.disconnect();
    await herald.stop();
  }
}
