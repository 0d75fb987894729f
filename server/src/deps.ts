import type { Sql } from 'postgres';
import type { Keyring } from './crypto/keyring.js';
import type { Db } from './db/client.js';
import type { OutageReporter } from './db/outageReporter.js';
import type { Env } from './env.js';
import type { Logger } from './logging/logger.js';
import type { Metrics } from './metrics/createMetrics.js';
import type { SesClients } from './ses/clients.js';
import type { DbClock } from './sending/dbClock.js';

/** Everything a service may need, built once at boot and passed explicitly. */
export type Deps = {
  env: Env;
  db: Db;
  sql: Sql;
  logger: Logger;
  /** Encrypts tenants' secrets at rest (AWS keys). */
  keyring: Keyring;
  now: () => Date;
  /** SES clients for tenants' stored credentials, reused across jobs and requests. */
  sesClients: SesClients;
  /** Where failures caused by an unreachable database are reported, a few lines per outage. */
  outage: OutageReporter;
  /** The process's Prometheus registry and the recorders the pipelines count into (served at GET /metrics). */
  metrics: Metrics;
  /** This process's reckoning of the database clock, which the send-rate limiter's slots are on. */
  dbClock: DbClock;
};
