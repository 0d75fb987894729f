import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema/index.js';

export type Db = PostgresJsDatabase<typeof schema>;
export type DbClient = { db: Db; sql: Sql; close: () => Promise<void> };

export function createDb(url: string, opts: { max?: number } = {}): DbClient {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
