import type { Sql } from 'postgres';
import { sleep } from '../lib.js';

export const pendingEvents = async (sql: Sql) => (await sql<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`)[0]!.n;

/** Samples the number of pending events every half second until stopped; `stop` resolves to the most it saw. */
export function sampleBacklog(sql: Sql): { stop: () => Promise<number> } {
  let maxBacklog = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxBacklog = Math.max(maxBacklog, await pendingEvents(sql));
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await sampler;
      return maxBacklog;
    },
  };
}

export type Stranded = { events: number; shards: number[]; lastProcessed: number | null };

/**
 * Until nothing is pending. Pending events whose number has not gone down for 2 s will never be
 * taken (no worker drains their shard and the sweep queued no job for it): they are reported as
 * stranded, then a job per shard is added the way the sweep adds them, to show they are not lost.
 */
export async function drain(sql: Sql): Promise<Stranded | null> {
  const deadline = Date.now() + 600_000;
  let stranded: Stranded | null = null;
  let last = Infinity;
  for (let idle = 0; Date.now() < deadline; ) {
    const pending = await pendingEvents(sql);
    if (pending === 0) break;
    idle = pending < last ? 0 : idle + 1;
    last = pending;
    if (idle >= 20 && !stranded) {
      const shards = (await sql<{ shard: number }[]>`select distinct shard from message_events where state = 'pending' order by shard`).map((r) => r.shard);
      const [lastProcessed] = await sql<{ at: number | null }[]>`select extract(epoch from max(processed_at))::float8 * 1000 as at from message_events where state <> 'pending'`;
      stranded = { events: pending, shards, lastProcessed: lastProcessed!.at };
      await sql`select graphile_worker.add_job('events__process', json_build_object('shard', s), job_key := 'events__process:' || s) from unnest(${shards}::int[]) s`;
      idle = 0;
    }
    await sleep(100);
  }
  return stranded;
}
