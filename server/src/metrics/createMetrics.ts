import { collectDefaultMetrics, Registry } from 'prom-client';
import { createDatabaseGauges, type DatabaseGaugeDeps, type DatabaseGauges } from './databaseGauges.js';
import { createEventMetrics, type EventMetrics } from './eventMetrics.js';
import { createRealtimeGauges, type RealtimeGauges } from './realtimeGauges.js';
import { createSendMetrics, type SendMetrics } from './sendMetrics.js';
import { createWebhookMetrics, type WebhookMetrics } from './webhookMetrics.js';

/** The process's metrics (Deps.metrics): one registry, and the recorders the pipelines call. */
export type Metrics = {
  registry: Registry;
  sends: SendMetrics;
  webhook: WebhookMetrics;
  events: EventMetrics;
  database: DatabaseGauges;
  realtime: RealtimeGauges;
};

export type MetricsOptions = DatabaseGaugeDeps & {
  /**
   * Whether anything will scrape this process (METRICS_TOKEN set). Herald's
   * own counters are kept either way (a few increments per batch); Node's
   * process metrics (CPU, memory, event-loop delay, GC), which start monitors
   * of their own, only when they can be read.
   */
  exposed: boolean;
};

/**
 * Builds the registry once per process, at boot. Not prom-client's global
 * registry: tests run several Heralds in one process, each with its own numbers.
 */
export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.exposed) collectDefaultMetrics({ register: registry });
  return {
    registry,
    sends: createSendMetrics(registry),
    webhook: createWebhookMetrics(registry),
    events: createEventMetrics(registry),
    database: createDatabaseGauges(registry, opts),
    realtime: createRealtimeGauges(registry),
  };
}
