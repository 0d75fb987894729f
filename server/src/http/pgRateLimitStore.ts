import type { Sql } from 'postgres';

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;

/**
 * A store for @fastify/rate-limit that keeps fixed-window counters in
 * Postgres, so every server process shares the same counts (an in-memory
 * store would give each process its own allowance).
 */
export function pgRateLimitStore(sql: Sql, namespace: string) {
  return class PgRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number): void {
      sql<{ hits: number; ttl: number }[]>`
        insert into rate_limit_hits (key, hits, reset_at)
        values (${`${namespace}:${key}`}, 1, now() + ${timeWindow} * interval '1 millisecond')
        on conflict (key) do update set
          hits = case when rate_limit_hits.reset_at <= now() then 1 else rate_limit_hits.hits + 1 end,
          reset_at = case when rate_limit_hits.reset_at <= now() then excluded.reset_at else rate_limit_hits.reset_at end
        returning hits, greatest(0, extract(epoch from reset_at - now()) * 1000)::int as ttl`
        .then(([row]) => cb(null, { current: row?.hits ?? 1, ttl: row?.ttl ?? timeWindow }))
        .catch((err: Error) => cb(err));
    }

    read(key: string, cb: Callback, timeWindow: number): void {
      sql<{ hits: number; ttl: number }[]>`
        select hits, greatest(0, extract(epoch from reset_at - now()) * 1000)::int as ttl
        from rate_limit_hits where key = ${`${namespace}:${key}`} and reset_at > now()`
        .then(([row]) => cb(null, row ? { current: row.hits, ttl: row.ttl } : { current: 0, ttl: timeWindow }))
        .catch((err: Error) => cb(err));
    }

    child(): PgRateLimitStore {
      return new PgRateLimitStore();
    }
  };
}
