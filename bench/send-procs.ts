/**
 * The SES simulator (every bench's) and bench/send.ts's Herald worker
 * processes, each on its own, started from server/src with tsx, with their
 * CPU time and peak memory read from /proc.
 */
import type { Sql } from 'postgres';
import { sleep } from './lib.js';
import { cpuSeconds, peakRssMb, startNode, waitForHerald } from './procs.js';

/** What bench/send.ts reads of an accepted message. */
export type AcceptedMessage = { acceptedAt: string; destinations: string[]; tags: Record<string, string> };

export type SimulatorProcess = {
  url: string;
  pid: number;
  /** PUT /_simulator/accounts/:key (the body is SimAccountInput without the key). */
  putAccount: (accessKeyId: string, body: Record<string, unknown>) => Promise<void>;
  messages: (accountId: string) => Promise<AcceptedMessage[]>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
};

/** `server/src/cli/ses-sim.ts --port 0`, configured through its control endpoints. */
export async function startSimulatorProcess(nodeArgs: string[] = [], log?: string): Promise<SimulatorProcess> {
  const sim = startNode('server/src/cli/ses-sim.ts', { args: ['--port', '0'], env: {}, nodeArgs, ...(log ? { log } : {}) });
  let url: string | undefined;
  for (let i = 0; i < 300 && !url; i++) {
    url = /SES\/SNS\/STS simulator at (http:\S+)/.exec(sim.output())?.[1];
    if (!url) await sleep(100);
  }
  if (!url) throw new Error(`the SES simulator did not start: ${sim.output()}`);
  const control = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}/_simulator/${route}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  return {
    url,
    pid: sim.pid,
    putAccount: async (key, body) => void (await control('PUT', `accounts/${key}`, body)),
    messages: async (accountId) => (await control('GET', `messages?accountId=${accountId}`)) as AcceptedMessage[],
    reset: async () => void (await control('POST', 'reset')),
    stop: sim.stop,
  };
}

export type WorkerProcesses = {
  pids: number[];
  cpuSeconds: () => number[];
  peakRssMb: () => number[];
  /** Output of every worker: pino lines (LOG_LEVEL=warn: warnings and errors only) and Node's own warnings. */
  logs: () => string[];
  /** Herald's warnings and errors (pino JSON lines). */
  warnings: () => string[];
  stop: () => Promise<void>;
};

/**
 * `count` × `server/src/worker.ts` (graphile-worker plus the send recovery
 * loop), ready once each has its LISTEN connection on the database.
 */
export async function startWorkers(
  count: number,
  opts: { sql: Sql; databaseUrl: string; sesEndpoint: string; encryptionKeys: string; concurrency: number; nodeArgs: string[]; env?: Record<string, string> },
): Promise<WorkerProcesses> {
  const env = {
    ...opts.env,
    DATABASE_URL: opts.databaseUrl,
    SES_ENDPOINT: opts.sesEndpoint,
    SES_SIMULATOR: 'off',
    ENCRYPTION_KEYS: opts.encryptionKeys,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(opts.concurrency),
  };
  const workers = Array.from({ length: count }, () => startNode('server/src/worker.ts', { env, nodeArgs: opts.nodeArgs }));
  await waitForHerald(opts.sql, opts.databaseUrl, { urls: [], workers: count, procs: workers });
  const pids = workers.map((w) => w.pid);
  const lines = () => workers.flatMap((w) => w.output().split('\n').filter(Boolean));
  return {
    pids,
    cpuSeconds: () => pids.map(cpuSeconds),
    peakRssMb: () => pids.map(peakRssMb),
    logs: lines,
    warnings: () => lines().filter((l) => l.startsWith('{')),
    stop: async () => void (await Promise.all(workers.map((w) => w.stop()))),
  };
}
