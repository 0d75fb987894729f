import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadKeyring } from './crypto/keyring.js';
import { DEMO_ACCESS_KEY_ID, type SesSimulator, startSesSimulator } from './dev/sesSimulator.js';
import { createDb, DEFAULT_POOL_MAX, type DbClient } from './db/client.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { ensureDatabase } from './db/ensureDatabase.js';
import { createOutageReporter } from './db/outageReporter.js';
import { migrateDatabase } from './db/migrate.js';
import type { Env } from './env.js';
import { startWorker } from './jobs/runner.js';
import type { Logger } from './logging/logger.js';
import type { Deps } from './deps.js';
import { startMetricsListener } from './http/metricsListener.js';
import { createMetrics } from './metrics/createMetrics.js';
import { taskPayloads } from './queue/payloads.js';
import { createSesClients } from './ses/clients.js';
import { createDbClock } from './sending/dbClock.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';

export type Roles = { http: boolean; worker: boolean };

export type Herald = {
  deps: Deps;
  app: FastifyInstance | null;
  /** Base URL the HTTP server listens on, when it does. */
  url: string | null;
  /** Base URL of the worker-only metrics listener (METRICS_PORT), when it runs. */
  metricsUrl: string | null;
  stop: () => Promise<void>;
};

/**
 * Boots Herald: database (embedded when no DATABASE_URL), migrations, then
 * the HTTP server and/or the worker. `stop()` closes them in the reverse
 * order — HTTP, worker, pools, embedded Postgres — so nothing is cut off
 * while it still talks to the database.
 */
export async function startHerald(config: Env, logger: Logger, roles: Roles): Promise<Herald> {
  let env = config;
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    while (stack.length > 0) {
      const step = stack.pop();
      await step?.().catch((err: unknown) => logger.error({ err }, 'error during shutdown'));
    }
  };
  try {
    // Before anything starts: a bad key must stop the boot, not the first connect.
    const keyring = await loadKeyring(env.encryptionKeys, env.dataDir, logger);
    let simulator: SesSimulator | null = null;
    if (env.sesSimulator) {
      // Its SES events start flowing once the webhook below listens (webhookUrl set there).
      simulator = await startSesSimulator({ logger: logger.child({ component: 'ses-simulator' }), events: {} });
      stack.push(simulator.stop);
      env = { ...env, sesEndpoint: simulator.url, snsCertUrlAllow: [...env.snsCertUrlAllow, simulator.url] };
      logger.warn({ url: simulator.url }, `local SES simulator running: connect with the demo key ${DEMO_ACCESS_KEY_ID} (its secret is in server/src/dev/README.md)`);
    }
    if (env.snsCertUrlAllow.length > 0) {
      logger.warn({ prefixes: env.snsCertUrlAllow }, 'SNS_CERT_URL_ALLOW: trusting extra SNS certificate and SubscribeURL prefixes — for simulators and tests only');
    }
    let databaseUrl = env.databaseUrl;
    if (!databaseUrl) {
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres({
        dataDir: path.join(env.dataDir, 'postgres'),
        port: env.embeddedPostgresPort,
        logger,
      });
      stack.push(embedded.stop);
      databaseUrl = await ensureDatabase(embedded.url, 'herald');
    }
    await migrateDatabase(databaseUrl, logger);

    // Unique per process, so its connections can be found (and counted) in pg_stat_activity.
    const applicationName = `herald/${hostname().slice(0, 32)}/${process.pid}/${randomBytes(3).toString('hex')}`;
    const client: DbClient = createDb(databaseUrl, { applicationName });
    stack.push(client.close);
    const sesClients = createSesClients();
    stack.push(async () => sesClients.close());
    const metrics = createMetrics({
      sql: client.sql,
      logger,
      applicationName,
      appPoolMax: DEFAULT_POOL_MAX,
      tasks: Object.keys(taskPayloads),
      exposed: env.metricsToken !== undefined,
      tenantLabels: env.metricsTenantLabels,
    });
    const deps: Deps = { env, db: client.db, sql: client.sql, logger, keyring, now: () => new Date(), sesClients, metrics, outage: createOutageReporter(logger), dbClock: createDbClock() };

    if (roles.worker) {
      const worker = await startWorker(deps, databaseUrl);
      stack.push(worker.stop);
    }
    let metricsUrl: string | null = null;
    if (!roles.http && env.metricsToken && env.metricsPort === undefined) {
      logger.warn('METRICS_TOKEN is set but not METRICS_PORT: this worker-only process serves no /metrics');
    }
    if (env.metricsPort !== undefined && env.metricsToken) {
      if (roles.http) {
        logger.warn('METRICS_PORT is for worker-only processes: this one serves GET /metrics on its HTTP port');
      } else {
        const listener = await startMetricsListener({ registry: metrics.registry, token: env.metricsToken, logger }, env.metricsPort, env.host);
        stack.push(listener.close);
        metricsUrl = listener.url;
      }
    }
    let app: FastifyInstance | null = null;
    let url: string | null = null;
    if (roles.http) {
      const server = await buildApp(deps);
      stack.push(() => server.close());
      url = await server.listen({ port: env.port, host: env.host });
      app = server;
      if (simulator) {
        const events = simulator.events;
        events.configure({ webhookUrl: `${url}/webhooks/email` });
        stack.push(async () => events.configure({ webhookUrl: null })); // no posts into a closing server
      }
    }
    return { deps, app, url, metricsUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
