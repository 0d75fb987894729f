import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimAccountInput } from '../../src/dev/sesSimulator.js';
import type { SimEventsOptions } from '../../src/dev/simEventsOptions.js';
import type { SimMessage } from '../../src/dev/simulatorState.js';
import { spawnHerald, waitForOutput } from '../process.js';

/**
 * Herald scaled out on one machine, every part its own OS process: the SES/SNS
 * simulator, API processes (`WORKER=off`, each on its own port) and worker
 * processes, all on one database. The simulator posts SES events to the API
 * processes in turn, as SNS would through a load balancer in front of them.
 */
export type HeraldProcess = ReturnType<typeof spawnHerald>;

export type Cluster = {
  apiUrls: string[];
  apis: HeraldProcess[];
  workers: HeraldProcess[];
  sim: SimulatorControl;
  /** Whether the simulator runs ahead of Herald for the CPU (see raiseSimulatorPriority), and if not, why. */
  simulatorPriority: string;
  /** SIGTERM to every process (each by its own handle), waiting for each to exit. */
  stop: () => Promise<void>;
};

export type SimulatorControl = {
  url: string;
  pid: number | undefined;
  putAccount: (account: SimAccountInput & { accessKeyId: string }) => Promise<void>;
  messages: (accountId: string) => Promise<SimMessage[]>;
  /** Sends refused with Throttling (rate), per account id. */
  rateRefusals: () => Promise<Record<string, number>>;
  /** SNS notification posts so far (answered 2xx, failed, dropped). */
  eventStats: () => Promise<{ posted: number; failed: number; dropped: number }>;
  configureEvents: (patch: Partial<Omit<SimEventsOptions, 'random'>>) => Promise<void>;
  /** How late the simulator's own event loop ran since `resetEventLoop` (ms). */
  eventLoop: () => Promise<{ p50Ms: number; p99Ms: number; maxMs: number }>;
  resetEventLoop: () => Promise<void>;
};

export type ClusterOptions = {
  databaseUrl: string;
  apis: number;
  workers: number;
  /** Extra environment of every Herald process (LOG_LEVEL, WORKER_CONCURRENCY, …). */
  env?: Record<string, string>;
};

const STARTUP_MS = 120_000;

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const started: HeraldProcess[] = [];
  try {
    const simProcess = spawnHerald('cli/ses-sim', { LOG_LEVEL: 'warn' }, ['--port', '0']);
    started.push(simProcess);
    const simulatorPriority = raiseSimulatorPriority(simProcess.pid);
    await waitForOutput(simProcess, /SES\/SNS\/STS simulator at http:\S+/, STARTUP_MS);
    const sim = simulatorControl(/SES\/SNS\/STS simulator at (http:\S+)/.exec(simProcess.output())![1]!, simProcess.pid);

    // One ENCRYPTION_KEYS for all: any process must decrypt the AWS keys another one stored.
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: opts.databaseUrl,
      ENCRYPTION_KEYS: `scale:${randomBytes(32).toString('base64')}`,
      SES_ENDPOINT: sim.url,
      SES_SIMULATOR: 'off',
      SNS_CERT_URL_ALLOW: sim.url,
      WEB_DIST: '/nonexistent',
      LOG_LEVEL: 'info',
      ...opts.env,
    };
    const apis = Array.from({ length: opts.apis }, () => spawnHerald('main', { ...env, WORKER: 'off', PORT: '0' }));
    const workers = Array.from({ length: opts.workers }, () => spawnHerald('worker', env));
    started.push(...apis, ...workers);
    // Ready once each says so at info level: an API its listen URL (PORT=0 picks a free port), a worker its start.
    await Promise.all([
      ...apis.map((api) => waitForOutput(api, /listening on http:\/\/[^)]+\)/, STARTUP_MS)),
      ...workers.map((worker) => waitForOutput(worker, /"msg":"worker started"/, STARTUP_MS)),
    ]);
    const apiUrls = apis.map((api) => /listening on (http:\/\/[^)]+)\)/.exec(api.output())![1]!);
    await sim.configureEvents({ webhookUrl: apiUrls.map((url) => `${url}/webhooks/email`) });
    return { apiUrls, apis, workers, sim, simulatorPriority, stop: () => stopAll(started) };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/** How far ahead of Herald's processes the simulator is scheduled (a nice value). */
const SIMULATOR_NICE = -10;

/**
 * The simulator stands in for AWS, which runs on machines of its own, and it is the judge of the rate:
 * it stamps each send when it takes the request up. Starved of CPU by the processes it judges, it took
 * requests up late (measured at 99 % busy: p50 28 ms, p99 0.2–0.9 s after Herald had written them, a new
 * connection's first request p50 338 ms), later than its own stall allowance (loopWatch.ts) accounts for,
 * and then refused sends that had left Herald within the rate (docs/benchmarks.md, scale-out, 2026-12-07 17:09–18:28).
 * Scheduled ahead of them, it takes requests up within a few milliseconds. Raising a priority needs root
 * (CAP_SYS_NICE); elsewhere the simulator runs as before, and the bench says so.
 */
function raiseSimulatorPriority(pid: number | undefined): string {
  if (pid === undefined) return 'normal (no process id)';
  try {
    setPriority(pid, SIMULATOR_NICE);
    return `raised (nice ${SIMULATOR_NICE})`;
  } catch (err) {
    return `normal (${(err as NodeJS.ErrnoException).code ?? String(err)}: raising it needs root; its arrival times may lag on a saturated machine)`;
  }
}

async function stopAll(processes: HeraldProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // A process that does not shut down within its own 10 s limit is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function simulatorControl(url: string, pid: number | undefined): SimulatorControl {
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${url}/_simulator/${route}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      }).catch((err: unknown) => err as Error);
      if (res instanceof Response && res.ok) return (await res.json()) as T;
      // A busy simulator may be slow to take a connection; its answers themselves are never wrong.
      if (attempt >= 3) throw new Error(`simulator ${method} ${route}: ${res instanceof Response ? `${res.status} ${await res.text()}` : res.message}`);
      await sleep(500);
    }
  };
  return {
    url,
    pid,
    putAccount: async ({ accessKeyId, ...body }) => void (await call('PUT', `accounts/${accessKeyId}`, body)),
    messages: (accountId) => call('GET', `messages?accountId=${accountId}`),
    rateRefusals: () => call('GET', 'rate-refusals'),
    eventStats: async () => (await call<{ stats: { posted: number; failed: number; dropped: number } }>('GET', 'events')).stats,
    configureEvents: async (patch) => void (await call('POST', 'events', patch)),
    eventLoop: () => call('GET', 'event-loop'),
    resetEventLoop: async () => void (await call('POST', 'event-loop/reset')),
  };
}

/** User + system CPU seconds a process has used so far, from /proc (Linux clock ticks are 1/100 s); 0 once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total CPU ticks of the whole machine (every process, other work included). */
export function machineTicks(): { busy: number; total: number } {
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}
