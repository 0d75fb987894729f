/** CPU time of the `live` and `many` runs' processes, and of the machine, from /proc. */
import type { Sql } from 'postgres';
import { backendCpuSeconds, cpuSeconds, machineTicks, type Client } from '../procs.js';
import type { ClientJob } from '../metrics-client.js';
import type { MetricsHerald } from './herald.js';

export type CpuMark = { api: number; watch: number; worker: number; clients: number; db: Map<number, number>; ticks: { busy: number; total: number }; at: number };

export async function cpuMark(sql: Sql, databaseUrl: string, herald: MetricsHerald, clients: Client<ClientJob>[]): Promise<CpuMark> {
  return {
    api: cpuSeconds(herald.api.pid),
    watch: cpuSeconds(herald.watch.pid),
    worker: cpuSeconds(herald.worker.pid),
    clients: clients.reduce((a, c) => a + cpuSeconds(c.pid), 0),
    db: await backendCpuSeconds(sql, databaseUrl),
    ticks: machineTicks(),
    at: performance.now(),
  };
}
/** CPU seconds of each, and the share of the whole machine's CPU time that was busy (everything on it). */
export type CpuUse = { seconds: number; api: number; watch: number; worker: number; clients: number; db: number; machineBusy: number };
export const cpuUse = (a: CpuMark, b: CpuMark): CpuUse => ({
  seconds: (b.at - a.at) / 1000,
  api: b.api - a.api,
  watch: b.watch - a.watch,
  worker: b.worker - a.worker,
  clients: b.clients - a.clients,
  db: [...b.db].reduce((sum, [pid, s]) => sum + s - (a.db.get(pid) ?? 0), 0),
  machineBusy: (b.ticks.busy - a.ticks.busy) / (b.ticks.total - a.ticks.total),
});
