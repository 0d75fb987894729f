/** CPU time of the run's processes from /proc, and of the Postgres backends serving each. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Sql } from 'postgres';
import { backendCpuSeconds, cpuSeconds, machineTicks, type Client } from '../procs.js';
import type { SignJob } from '../sign-job.js';
import type { FireJob } from '../webhook-client.js';
import type { WebhookHerald } from './herald.js';

/**
 * Which Herald process holds each Postgres backend of the database ('api' or 'worker'): the client
 * port pg_stat_activity shows is a local port of one of the processes' sockets (/proc/<pid>/fd, /proc/net/tcp).
 */
async function backendOwners(sql: Sql, databaseUrl: string, herald: WebhookHerald): Promise<Map<number, string>> {
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

export type CpuMark = { api: number; worker: number; client: number; db: Map<number, number>; owners: Map<number, string>; ticks: { busy: number; total: number }; at: number };

export async function cpuMark(sql: Sql, databaseUrl: string, herald: WebhookHerald, client: Client<SignJob | FireJob>): Promise<CpuMark> {
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
export type CpuUse = { seconds: number; api: number; worker: number; client: number; db: number; dbApi: number; dbWorker: number; machineBusy: number; other: number };

export function cpuUse(a: CpuMark, b: CpuMark): CpuUse {
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
export const cores = (u: CpuUse, inline: boolean) =>
  inline
    ? `Herald (API and worker) ${(u.api / u.seconds).toFixed(2)}, Postgres ${(u.db / u.seconds).toFixed(2)}, client ${(u.client / u.seconds).toFixed(2)}, ` +
      `everything else ${(u.other / u.seconds).toFixed(2)} cores; machine busy ${(u.machineBusy * 100).toFixed(0)} %`
    : `API ${(u.api / u.seconds).toFixed(2)}, worker ${(u.worker / u.seconds).toFixed(2)}, Postgres ${(u.db / u.seconds).toFixed(2)} (API's ${(u.dbApi / u.seconds).toFixed(2)}, worker's ${(u.dbWorker / u.seconds).toFixed(2)}), ` +
      `client ${(u.client / u.seconds).toFixed(2)}, everything else ${(u.other / u.seconds).toFixed(2)} cores; machine busy ${(u.machineBusy * 100).toFixed(0)} %`;
/** CPU ms per request of each process. */
export const perRequest = (u: CpuUse, requests: number, inline: boolean) => {
  const ms = (s: number) => ((s / requests) * 1000).toFixed(3);
  return inline
    ? `Herald ${ms(u.api)}, Postgres ${ms(u.db)}, client ${ms(u.client)} CPU ms per request`
    : `API ${ms(u.api)}, worker ${ms(u.worker)}, Postgres ${ms(u.db)} (API's ${ms(u.dbApi)}, worker's ${ms(u.dbWorker)}), client ${ms(u.client)} CPU ms per request`;
};

