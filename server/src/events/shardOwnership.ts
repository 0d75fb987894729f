import { randomInt } from 'node:crypto';
import type { Sql } from 'postgres';

/** First key of the session advisory locks that say which process drains which event shard. */
export const SHARD_LOCK_NAMESPACE = 0x48724576;

export type ShardOwnership = {
  /**
   * Reads which shards this process's lock session holds now and, when
   * `tryMore`, tries to take one more that nobody holds. Resolves to the
   * shards held. Throws when the lock connection fails: whatever it held is
   * then not ours to count on.
   */
  refresh: (tryMore: boolean) => Promise<Set<number>>;
  /** Releases every lock (ends the session). */
  close: () => Promise<void>;
};

/**
 * Shard ownership by session advisory locks on one connection of the
 * process's own (`lockSql`, a pool of one): a shard is drained by the one
 * process whose session holds its lock, and the lock goes with the session,
 * so a process that dies or loses its connection frees its shards for the
 * others at once. A session lock taken twice must be released twice, so
 * what is held is read from pg_locks rather than re-taken; after a
 * reconnect postgres.js gives a new session, which holds nothing, and that
 * is what the next refresh reads.
 *
 * One new shard per refresh, tried from a place of the process's own
 * (random) in the ring: processes started together spread the shards
 * between them rather than the first taking all.
 */
export function createShardOwnership(lockSql: Sql, shards: number): ShardOwnership {
  const start = randomInt(shards);
  const ring = Array.from({ length: shards }, (_, i) => (start + i) % shards);
  return {
    async refresh(tryMore) {
      const rows = await lockSql<{ shard: number }[]>`
        with held as materialized (
          select objid::int as shard from pg_locks
          where locktype = 'advisory' and pid = pg_backend_pid() and classid = ${SHARD_LOCK_NAMESPACE}::oid and objsubid = 2 and granted
        ),
        next as materialized (
          select c.shard from unnest(${ring}::int[]) with ordinality as c(shard, place)
          where ${tryMore} and c.shard not in (select shard from held)
          order by c.place limit 1
        )
        select shard from held
        union all
        select shard from next where pg_try_advisory_lock(${SHARD_LOCK_NAMESPACE}, shard)`;
      return new Set(rows.map((r) => r.shard));
    },
    close: () => lockSql.end({ timeout: 5 }),
  };
}
