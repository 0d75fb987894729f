import { randomInt } from 'node:crypto';
import pg from 'pg';

/** First key of the session advisory locks that say which process drains which event shard. */
export const SHARD_LOCK_NAMESPACE = 0x48724576;

/** A refresh that takes longer than this is given up with its session (whose locks then go). */
const QUERY_TIMEOUT_MS = 10_000;

export type ShardOwnership = {
  /**
   * Reads which shards this process's lock session holds now and, when
   * `tryMore`, tries to take one more that no session holds. Resolves to the
   * shards held. Throws when the lock session fails: whatever it held is
   * then not ours to count on, and the next refresh starts a new one.
   */
  refresh: (tryMore: boolean) => Promise<Set<number>>;
  /** Releases every lock (ends the session). */
  close: () => Promise<void>;
};

/** A lock session of its own: one node-postgres client, never shared, so every lock query runs on the session that holds the locks. */
export const lockSession = (databaseUrl: string) => async (): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-event-shards', connectionTimeoutMillis: QUERY_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS });
  await client.connect();
  return client;
};

/**
 * Shard ownership by session advisory locks: a shard is drained by the one
 * process whose session holds its lock, and the lock goes with the session,
 * so a process that dies or loses its connection frees its shards for the
 * others at once. A session lock taken twice must be released twice, so
 * what is held is read from pg_locks rather than re-taken. A session that
 * failed is dropped, and the next refresh reads a new one, which holds
 * nothing. (Not a postgres.js pool of one: after a connection ended under
 * a query, its next query waited for ever.)
 *
 * One new shard per refresh, tried from a place of the process's own
 * (random) in the ring: processes started together spread the shards
 * between them rather than the first taking all.
 */
export function createShardOwnership(connect: () => Promise<pg.Client>, shards: number): ShardOwnership {
  const start = randomInt(shards);
  const ring = Array.from({ length: shards }, (_, i) => (start + i) % shards);
  let session: pg.Client | null = null;
  const drop = (client: pg.Client) => {
    if (session === client) session = null;
    client.end().catch(() => undefined);
  };
  const open = async () => {
    if (session) return session;
    const client = await connect();
    client.on('error', () => drop(client));
    session = client;
    return client;
  };
  return {
    async refresh(tryMore) {
      const client = await open();
      try {
        const { rows } = await client.query<{ shard: number }>(
          `with locks as materialized (
             select objid::int as shard, pid = pg_backend_pid() as ours from pg_locks
             where locktype = 'advisory' and classid = $1::int::oid and objsubid = 2 and granted
               and database = (select oid from pg_database where datname = current_database())
           ),
           free as materialized (
             select c.shard from unnest($2::int[]) with ordinality as c(shard, place)
             where $3::boolean and c.shard not in (select shard from locks)
             order by c.place limit 1
           )
           select shard from locks where ours
           union all
           select shard from free where pg_try_advisory_lock($1::int, shard)`,
          [SHARD_LOCK_NAMESPACE, ring, tryMore],
        );
        return new Set(rows.map((r) => r.shard));
      } catch (err) {
        drop(client);
        throw err;
      }
    },
    async close() {
      const client = session;
      session = null;
      await client?.end().catch(() => undefined);
    },
  };
}
