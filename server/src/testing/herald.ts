import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { startHerald, type Herald, type Roles } from '../boot.js';
import { loadEnv } from '../env.js';
import { createLogger } from '../logging/logger.js';
import { createTestDatabase } from './database.js';

export type TestHerald = Herald & {
  url: string;
  /** Every log line written while it ran, for tests that look for leaks. */
  logs: string[];
};

/**
 * A real Herald (HTTP on a random port, optional worker) on its own fresh
 * database. `env` overrides configuration variables as in a .env file.
 */
export async function startTestHerald(
  adminUrl: string,
  opts: {
    env?: Record<string, string>;
    roles?: Roles;
    /** Where Herald reaches its database, given the test database's URL (e.g. through a proxy a test can cut). */
    routeDatabase?: (databaseUrl: string) => string;
  } = {},
): Promise<TestHerald> {
  const database = await createTestDatabase(adminUrl);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  // PUBLIC_URL must be where this Herald listens: event-tracking setup subscribes PUBLIC_URL/webhooks/email.
  const port = opts.env?.PORT ?? String(await freePort());
  const env = loadEnv({ NODE_ENV: 'test', DATABASE_URL: opts.routeDatabase?.(database.url) ?? database.url, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'debug', SES_SIMULATOR: 'off', ENCRYPTION_KEYS: `test:${randomBytes(32).toString('base64')}`, ...opts.env });
  const herald = await startHerald(env, createLogger(env.logLevel, sink), opts.roles ?? { http: true, worker: false });
  if (!herald.url) throw new Error('test Herald has no HTTP server');
  const url = herald.url;
  return {
    ...herald,
    url,
    logs,
    stop: async () => {
      await herald.stop();
      await database.drop();
    },
  };
}

/** A port nothing listens on right now (the OS picks it; Herald binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
