import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import { runMigrations as graphileMigrate } from 'graphile-worker';
import postgres, { type Sql } from 'postgres';
import { repoRoot } from '../env.js';
import { graphileLogger } from '../logging/graphileLogger.js';
import type { Logger } from '../logging/logger.js';

export const migrationsFolder = path.join(repoRoot, 'drizzle');

/**
 * Brings a database to the current schema: Herald's drizzle migrations, then
 * graphile-worker's own schema (jobs can only be added after it exists).
 * Several processes may boot at once against one database; drizzle's migrator
 * takes no lock, so an advisory lock serializes them.
 */
export async function migrateDatabase(url: string, logger: Logger): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(hashtext('herald:migrate'))`;
    await drizzleMigrate(drizzle(sql), { migrationsFolder });
    await graphileMigrate({ connectionString: url, logger: graphileLogger(logger) });
    await sql`select pg_advisory_unlock(hashtext('herald:migrate'))`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

let expectedCount: number | undefined;

/** True when every migration in `drizzle/` has been applied (for /readyz). */
export async function migrationsApplied(sql: Sql): Promise<boolean> {
  if (expectedCount === undefined) {
    const journal = JSON.parse(await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expectedCount = journal.entries.length;
  }
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from drizzle.__drizzle_migrations`;
  return (row?.n ?? 0) >= expectedCount;
}
