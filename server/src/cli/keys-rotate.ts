import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { ensureDatabase } from '../db/ensureDatabase.js';
import { loadDotEnvFile, loadEnv } from '../env.js';
import { createLogger } from '../logging/logger.js';
import { loadKeyring } from '../crypto/keyring.js';
import { rotateSecrets } from '../crypto/rotate.js';

/** `npm run keys:rotate`: re-encrypts every stored secret with the first key of ENCRYPTION_KEYS. */
loadDotEnvFile();
const env = loadEnv();
const logger = createLogger(env.logLevel);
const keyring = await loadKeyring(env.encryptionKeys, env.dataDir, logger);
const embedded = env.databaseUrl
  ? null
  : await startEmbeddedPostgres({ dataDir: path.join(env.dataDir, 'postgres'), port: env.embeddedPostgresPort, logger });
const sql = postgres(env.databaseUrl ?? (await ensureDatabase(embedded!.url, 'herald')), { max: 2, onnotice: () => {} });
try {
  const result = await rotateSecrets(sql, keyring, logger);
  const total = result.reduce((n, r) => n + r.reencrypted, 0);
  process.stdout.write(`Re-encrypted ${total} secret(s) with key "${keyring.active.id}". Keys other than "${keyring.active.id}" are no longer needed.\n`);
} finally {
  await sql.end({ timeout: 5 });
  await embedded?.stop();
}
