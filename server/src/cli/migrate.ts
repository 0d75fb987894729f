import { ensureDatabase } from '../db/ensureDatabase.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrateDatabase } from '../db/migrate.js';
import { loadDotEnvFile, loadEnv } from '../env.js';
import { createLogger } from '../logging/logger.js';
import path from 'node:path';

/** `npm run db:migrate`: applies migrations to DATABASE_URL (or the embedded database). */
loadDotEnvFile();
const env = loadEnv();
const logger = createLogger(env.logLevel);
const embedded = env.databaseUrl
  ? null
  : await startEmbeddedPostgres({ dataDir: path.join(env.dataDir, 'postgres'), port: env.embeddedPostgresPort, logger });
try {
  const url = env.databaseUrl ?? (await ensureDatabase(embedded!.url, 'herald'));
  await migrateDatabase(url, logger);
  logger.info('migrations applied');
} finally {
  await embedded?.stop();
}
