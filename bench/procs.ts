/**
 * The benches' child processes: Herald's scripts from server/src with tsx,
 * client processes driven over IPC, and what /proc says of their CPU time
 * and memory.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from 'postgres';
import { repoRoot, sleep } from './lib.js';

export type NodeProcess = {
  child: ChildProcess;
  pid: number;
  /** What it wrote to stdout and stderr so far (from the log file, where it has one). */
  output: () => string;
  stop: () => Promise<void>;
};

/** SIGTERM, and wait for the exit (nothing to do once it has exited). */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * `script` (a path from the repository root) with tsx, in an environment of
 * `env` and PATH only; its output appended to `log`, or kept in memory.
 */
export function startNode(script: string, opts: { env: Record<string, string>; args?: string[]; nodeArgs?: string[]; log?: string }): NodeProcess {
  const fd = opts.log ? openSync(opts.log, 'a') : null;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(repoRoot, script), ...(opts.args ?? [])], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: fd === null ? 'pipe' : ['ignore', fd, fd],
  });
  if (fd !== null) closeSync(fd);
  const chunks: string[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
  return {
    child,
    pid: child.pid!,
    output: () => (opts.log ? readFileSync(opts.log, 'utf8') : chunks.join('')),
    stop: () => terminate(child),
  };
}

/** The last lines of a text, for error messages. */
export const tail = (text: string, lines = 20) => text.split('\n').slice(-lines).join('\n');

export type Client<Job extends { kind: string }> = { pid: number; call: <R>(job: Job) => Promise<R>; stop: () => Promise<void> };

/** A client process (`script`, run with tsx) that answers each job sent over IPC with one message, or `{ kind: 'error' }`. */
export function startClient<Job extends { kind: string }>(script: string): Client<Job> {
  const child = fork(path.join(repoRoot, script), [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    pid: child.pid!,
    call: <R>(job: Job) =>
      new Promise<R>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) during ${job.kind}`));
        child.once('exit', onExit);
        child.once('message', (m: { kind: string; message?: string }) => {
          child.off('exit', onExit);
          if (m.kind === 'error') reject(new Error(m.message));
          else resolve(m as R);
        });
        child.send(job);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ kind: 'exit' });
      await exited;
    },
  };
}

/**
 * Waits until every URL answers /readyz and `workers` graphile-workers hold
 * their LISTEN connection on the database; throws with the output of a
 * process that died, or after a minute.
 */
export async function waitForHerald(sql: Sql, databaseUrl: string, opts: { urls: string[]; workers: number; procs: NodeProcess[] }): Promise<void> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const ready = (url: string) => fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  for (let i = 0; ; i++) {
    const answering = (await Promise.all(opts.urls.map(ready))).every(Boolean);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${database} and query like 'LISTEN "jobs:insert"%'`;
    if (answering && row!.n >= opts.workers) return;
    const dead = opts.procs.find((p) => p.child.exitCode !== null);
    if (dead || i > 600) throw new Error(`Herald did not start:\n${tail((dead ?? opts.procs[0]!).output())}`);
    await sleep(100);
  }
}

const procStatus = (pid: number, field: 'VmHWM' | 'VmRSS') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Peak resident set (VmHWM) of a process, MB. */
export const peakRssMb = (pid: number) => procStatus(pid, 'VmHWM');
/** Resident set (VmRSS) of a process now, MB. */
export const rssMb = (pid: number) => procStatus(pid, 'VmRSS');

/** Resets a process's peak RSS (VmHWM) to its current RSS; false where /proc does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds a process has used so far (Linux clock ticks are 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

/** A built Herald server (server/dist, no tsx) as its own process, so its memory can be read from /proc. */
export async function startServerProcess(databaseUrl: string, port: number) {
  const logs: string[] = [];
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      SES_SIMULATOR: 'off',
      LOG_LEVEL: 'info',
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      WEB_DIST: '/nonexistent',
    },
  });
  child.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    await sleep(100);
  }
  return {
    url,
    child,
    logs,
    peakRssMb: () => peakRssMb(child.pid!),
    rssMb: () => rssMb(child.pid!),
    stop: () => terminate(child),
  };
}
