import { Counter, Gauge, type Registry } from 'prom-client';
import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger.js';
import { readDatabaseSnapshot, type DatabaseSnapshot } from './databaseSnapshot.js';

/** A pg.Pool as graphile-worker's runners use it (jobs/runner.ts): its counts are exact and free to read. */
export type PoolStats = { totalCount: number; idleCount: number; waitingCount: number };

export type DatabaseGauges = {
  /** Reports a pg.Pool of this process under `pool` until the returned function is called. */
  watchPool: (name: string, pool: PoolStats, max: number) => () => void;
};

export type DatabaseGaugeDeps = {
  sql: Sql;
  logger: Logger;
  /** The application_name this process's postgres.js connections carry (db/client.ts), to find them in pg_stat_activity. */
  applicationName: string;
  /** Size of that pool (db/client.ts). */
  appPoolMax: number;
  /** Every task Herald runs, reported at zero when it has no jobs, so panels have a series per task. */
  tasks: readonly string[];
};

const JOB_STATES = ['ready', 'running', 'scheduled', 'failed'] as const;

/**
 * Gauges read from the database when Prometheus scrapes, never polled in the
 * background: the job queue per task (graphile_worker.jobs), SES events
 * waiting to be processed, and this process's connections. The values
 * describe the whole database, so every process reports the same queue and
 * backlog: aggregate them with max(), not sum(). A failed read leaves the
 * gauges empty for that scrape (and counts herald_metrics_collect_errors_total)
 * instead of failing the whole scrape.
 */
export function createDatabaseGauges(registry: Registry, deps: DatabaseGaugeDeps): DatabaseGauges {
  const errors = new Counter({
    name: 'herald_metrics_collect_errors_total',
    help: 'Scrapes whose database reads (job queue, pending events, connections) failed; those gauges were left out.',
    registers: [registry],
  });
  errors.inc(0);
  // The registry collects every metric at once, so the gauges of one scrape (and concurrent scrapes)
  // share the read in flight; a later scrape reads afresh.
  let inFlight: Promise<DatabaseSnapshot | null> | null = null;
  const read = () => {
    inFlight ??= readDatabaseSnapshot(deps.sql, deps.applicationName)
      .catch((err: unknown) => {
        errors.inc();
        deps.logger.warn({ err }, 'metrics: database gauges could not be read');
        return null;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  };
  const pools = new Map<string, { pool: PoolStats; max: number }>();

  new Gauge({
    name: 'herald_job_queue_depth',
    help: 'graphile-worker jobs per task and state: ready (due, waiting for a worker), running (locked), scheduled (due later: retries, scheduled sends), failed (out of attempts).',
    labelNames: ['task', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await read();
      if (!snap) return;
      for (const task of new Set([...deps.tasks, ...snap.jobs.map((j) => j.task)])) {
        const row = snap.jobs.find((j) => j.task === task);
        for (const state of JOB_STATES) this.set({ task, state }, row?.[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'herald_job_queue_oldest_ready_age_seconds',
    help: 'Per task, how long the oldest ready job has been due (0 when none is waiting): the queue delay workers have not caught up with.',
    labelNames: ['task'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await read();
      if (!snap) return;
      for (const task of new Set([...deps.tasks, ...snap.jobs.map((j) => j.task)])) {
        this.set({ task }, snap.jobs.find((j) => j.task === task)?.oldestReadySeconds ?? 0);
      }
    },
  });
  new Gauge({
    name: 'herald_events_pending',
    help: 'SES events stored by the webhook and not processed yet.',
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await read();
      if (snap) this.set(snap.pendingEvents);
    },
  });
  new Gauge({
    name: 'herald_events_oldest_pending_age_seconds',
    help: 'How long the oldest unprocessed SES event has waited (0 when none): the event-processing lag.',
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await read();
      if (snap) this.set(snap.oldestPendingSeconds);
    },
  });
  new Gauge({
    name: 'herald_db_pool_max',
    help: "Connections this process's pools may open: app (postgres.js, services and jobs' work), worker_bulk / worker_priority (graphile-worker runners).",
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.set({ pool: 'app' }, deps.appPoolMax);
      for (const [pool, { max }] of pools) this.set({ pool }, max);
    },
  });
  new Gauge({
    name: 'herald_db_pool_connections',
    help: "This process's open connections by pool and state (active, idle, idle_in_transaction); app from pg_stat_activity, excluding the scrape's own.",
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [pool, stats] of pools) {
        this.set({ pool, state: 'active' }, stats.pool.totalCount - stats.pool.idleCount);
        this.set({ pool, state: 'idle' }, stats.pool.idleCount);
      }
      const snap = await read();
      if (!snap) return;
      for (const state of ['active', 'idle', 'idle_in_transaction'] as const) this.set({ pool: 'app', state }, snap.connections[state]);
    },
  });
  new Gauge({
    name: 'herald_db_pool_waiting',
    help: 'Requests waiting for a free connection of a graphile-worker runner pool (postgres.js does not tell for the app pool).',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [pool, stats] of pools) this.set({ pool }, stats.pool.waitingCount);
    },
  });

  return {
    watchPool(name, pool, max) {
      pools.set(name, { pool, max });
      return () => void pools.delete(name);
    },
  };
}
