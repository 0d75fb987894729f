/**
 * The child processes of bench/send.ts: the SES simulator and Herald worker
 * processes, each on its own, started from server/src with tsx, with their
 * CPU time and peak memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from 'postgres';
import { repoRoot } from './lib.js';

/** User + system CPU seconds a process has used so far (Linux clock ticks are 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set (VmHWM) of a process, MB. */
export function peakRssMb(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** Busy and total CPU time of the whole machine (every process, including other work on it), in clock ticks. */
export function machineTicks(): { busy: number; total: number } {
  // user nice system idle iowait irq softirq steal (guest time is already counted in user and nice)
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total }; // idle and iowait are not busy
}

/**
 * CPU seconds of every Postgres backend connected to the database right now, by pid (Postgres on
 * this machine; pooled connections live through a run, so differences between two reads are its work).
 */
export async function backendCpuSeconds(sql: Sql, databaseUrl: string): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${new URL(databaseUrl).pathname.slice(1)}`;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuSeconds(pid));
    } catch {
      // gone since the query
    }
  }
  return cpu;
}

type Child = { child: ChildProcess; logs: string[]; stop: () => Promise<void> };

function startNode(script: string, args: string[], env: Record<string, string>, nodeArgs: string[]): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repoRoot, script), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const logs: string[] = [];
  const keep = (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    logs,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

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
export async function startSimulatorProcess(nodeArgs: string[] = []): Promise<SimulatorProcess> {
  const sim = startNode('server/src/cli/ses-sim.ts', ['--port', '0'], {}, nodeArgs);
  let url: string | undefined;
  for (let i = 0; i < 300 && !url; i++) {
    url = sim.logs.map((l) => /SES\/STS simulator at (http:\S+)/.exec(l)?.[1]).find(Boolean);
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error(`the SES simulator did not start: ${sim.logs.join('\n')}`);
  const control = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}/_simulator/${route}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  return {
    url,
    pid: sim.child.pid!,
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
  opts: { sql: Sql; databaseUrl: string; sesEndpoint: string; encryptionKeys: string; concurrency: number; nodeArgs: string[] },
): Promise<WorkerProcesses> {
  const env = {
    DATABASE_URL: opts.databaseUrl,
    SES_ENDPOINT: opts.sesEndpoint,
    SES_SIMULATOR: 'off',
    ENCRYPTION_KEYS: opts.encryptionKeys,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(opts.concurrency),
  };
  const workers = Array.from({ length: count }, () => startNode('server/src/worker.ts', [], env, opts.nodeArgs));
  const database = new URL(opts.databaseUrl).pathname.slice(1);
  for (let i = 0; ; i++) {
    const [row] = await opts.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where datname = ${database} and query like 'LISTEN "jobs:insert"%'`;
    if (row!.n >= count) break;
    const dead = workers.find((w) => w.child.exitCode !== null);
    if (dead || i > 600) throw new Error(`worker did not start: ${(dead ?? workers[0]!).logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = workers.map((w) => w.child.pid!);
  return {
    pids,
    cpuSeconds: () => pids.map(cpuSeconds),
    peakRssMb: () => pids.map(peakRssMb),
    logs: () => workers.flatMap((w) => w.logs),
    warnings: () => workers.flatMap((w) => w.logs).filter((l) => l.startsWith('{')),
    stop: async () => void (await Promise.all(workers.map((w) => w.stop()))),
  };
}
