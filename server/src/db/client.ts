import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema/index.js';

export type Db = PostgresJsDatabase<typeof schema>;
export type DbClient = { db: Db; sql: Sql; close: () => Promise<void> };

/** Connections per process unless told otherwise. */
export const DEFAULT_POOL_MAX = 10;

/**
 * `applicationName` names the connections in pg_stat_activity: a name unique
 * to the process lets it count its own connections there (postgres.js keeps
 * its pool's state to itself) and lets an operator see who holds what.
 */
export function createDb(url: string, opts: { max?: number; applicationName?: string } = {}): DbClient {
  const sql = postgres(url, {
    max: opts.max ?? DEFAULT_POOL_MAX,
    // While Postgres is unreachable, a request should get its 503 in seconds, not after the 30 s default.
    connect_timeout: 10,
    // postgres.js waits up to 20 s before reconnecting after repeated failures (3^n / 100 s): after a
    // restart or an outage Herald would stay unavailable that long. Two seconds at most instead.
    backoff: (failures: number) => Math.min(0.05 * 2 ** failures, 2),
    onnotice: () => {},
    ...(opts.applicationName ? { connection: { application_name: opts.applicationName } } : {}),
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
