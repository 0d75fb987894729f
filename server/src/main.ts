import { startHerald } from './boot.js';
import { ConfigError, loadDotEnvFile, loadEnv } from './env.js';
import { createLogger } from './logging/logger.js';
import { onShutdownSignal } from './shutdown.js';

/** `npm start`: API, web app and (unless WORKER=off) the worker in one process. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const env = loadEnv();
  const logger = createLogger(env.logLevel);
  const herald = await startHerald(env, logger, { http: true, worker: env.worker === 'inline' });
  onShutdownSignal(logger, herald.stop);
  logger.info(`Herald is running at ${env.publicUrl.origin} (listening on ${herald.url})`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Herald failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
