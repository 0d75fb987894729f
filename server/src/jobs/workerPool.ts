import { setTimeout as sleep } from 'node:timers/promises';
import { RETRYABLE_ERROR_CODES } from 'graphile-worker/dist/lib.js';
import pg from 'pg';
import { logFailure } from '../db/outageReporter.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Deps } from '../deps.js';

/** How long a worker waits for Postgres to come back before giving up a connection attempt. */
const PATIENCE_MS = 5 * 60_000;
const MAX_PAUSE_MS = 2_000;

/**
 * graphile-worker 0.17 completes and fails jobs without awaiting the
 * promise, retrying only serialization failures and a few network codes:
 * a connection refused or cut during a database restart became an
 * unhandled rejection (the process dies) and left the job locked for four
 * hours. With the codes of a restart added here (and a cut connection
 * tagged with one, below), it retries until the database is back. Applied
 * once per process; the table is graphile-worker's own.
 */
const RESTART_CODES = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '08000', '08001', '08003', '08006'];
for (const code of RESTART_CODES) RETRYABLE_ERROR_CODES[code] ??= { minDelay: 500, maxDelay: 10_000 };

/** Marks a client whose query() already tags connection losses. */
const tagged = Symbol('herald.connectionLossTagged');
type TaggableClient = pg.PoolClient & { [tagged]?: true };

/** node-postgres reports a connection cut mid-query by message only; give it a code the retry table knows. */
function tagConnectionLoss(client: TaggableClient): TaggableClient {
  if (client[tagged]) return client;
  client[tagged] = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((err: unknown) => {
      if (err instanceof Error && !(err as { code?: string }).code && isDatabaseUnavailable(err)) Object.assign(err, { code: 'ECONNRESET' });
      throw err;
    });
  }) as typeof client.query;
  return client;
}

/**
 * A pool for a graphile-worker runner that waits out a database outage:
 * connect() retries while Postgres is unreachable (up to PATIENCE_MS), so
 * the runner's job fetching, completing and LISTEN simply pause and resume
 * when the database is back, instead of failing every poll.
 */
export function createWorkerPool(deps: Pick<Deps, 'logger' | 'outage'>, connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  const failed = (err: Error) => logFailure(deps, 'worker', err, 'worker database connection failed');
  pool.on('error', failed);
  pool.on('connect', (client) => client.on('error', failed));
  const connectOnce = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connectPatiently = async (): Promise<pg.PoolClient> => {
    const giveUpAt = Date.now() + PATIENCE_MS;
    for (let pause = 100; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      try {
        return tagConnectionLoss(await connectOnce());
      } catch (err) {
        if (pool.ending || !isDatabaseUnavailable(err) || Date.now() > giveUpAt) throw err;
        deps.outage.failed('worker', err);
        await sleep(pause);
      }
    }
  };
  // pg-pool's own query() calls connect with a callback; graphile-worker awaits the promise form.
  pool.connect = ((callback?: (err: Error | undefined, client?: pg.PoolClient, done?: (release?: unknown) => void) => void) => {
    const connecting = connectPatiently();
    if (!callback) return connecting;
    connecting.then(
      (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error | boolean | undefined)),
      (err: Error) => callback(err),
    );
    return undefined;
  }) as typeof pool.connect;
  return pool;
}
