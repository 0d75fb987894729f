import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema/index.js';

export type Db = PostgresJsDatabase<typeof schema>;
export type DbClient = { db: Db; sql: Sql; close: () => Promise<void> };

export function createDb(url: string, opts: { max?: number } = {}): DbClient {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    // While Postgres is unreachable, a request should get its 503 in seconds, not after the 30 s default.
    connect_timeout: 10,
    // postgres.js waits up to 20 s before reconnecting after repeated failures (3^n / 100 s): after a
    // restart or an outage Herald would stay unavailable that long. Two seconds at most instead.
    backoff: (failures: number) => Math.min(0.05 * 2 ** failures, 2),
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
