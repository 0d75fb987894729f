import { collectDefaultMetrics, Registry } from 'prom-client';
import { createDatabaseGauges, type DatabaseGaugeDeps, type DatabaseGauges } from './databaseGauges.js';
import { createEventMetrics, type EventMetrics } from './eventMetrics.js';
import { createRealtimeGauges, type RealtimeGauges } from './realtimeGauges.js';
import { createSendMetrics, type SendMetrics } from './sendMetrics.js';
import { createTenantSends } from './tenantSends.js';
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
  /** METRICS_TENANT_LABELS: how many tenant ids may appear as label values (0: none, no per-tenant metric). */
  tenantLabels: number;
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
    sends: createSendMetrics(registry, createTenantSends(registry, opts.tenantLabels)),
    webhook: createWebhookMetrics(registry),
    events: createEventMetrics(registry),
    database: createDatabaseGauges(registry, opts),
    realtime: createRealtimeGauges(registry),
  };
}
