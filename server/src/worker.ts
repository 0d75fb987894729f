import { startHerald } from './boot.js';
import { ConfigError, loadDotEnvFile, loadEnv } from './env.js';
import { createLogger } from './logging/logger.js';
import { onShutdownSignal } from './shutdown.js';

/** `npm run worker`: job processing only, for scaling workers apart from the API. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const env = loadEnv();
  const logger = createLogger(env.logLevel);
  if (!env.databaseUrl) {
    logger.warn('no DATABASE_URL: this worker uses the embedded database, which only one process can run at a time');
  }
  const herald = await startHerald(env, logger, { http: false, worker: true });
  onShutdownSignal(logger, herald.stop);
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `Herald worker failed to start: ${String(err)}\n`);
  process.exit(1);
});
