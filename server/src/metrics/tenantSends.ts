import { Counter, type Registry } from 'prom-client';

/** `outcome` is one of herald_sends_total's (sendMetrics.ts, which calls this). */
export type TenantSends = (tenantId: string, outcome: string, n: number) => void;

/** The label of tenants beyond the cap. */
export const OTHER_TENANTS = 'other';

/**
 * `herald_tenant_sends_total{tenant_id, outcome}`, only when METRICS_TENANT_LABELS
 * is above 0: each label value is a time series Prometheus keeps, so the
 * number of tenant ids is capped by that setting. The first `cap` tenants
 * this process sends for keep their id until it restarts; later ones are
 * counted under `other`. Returns a no-op when the cap is 0 (no metric at all).
 */
export function createTenantSends(registry: Registry, cap: number): TenantSends {
  if (cap <= 0) return () => {};
  const counter = new Counter({
    name: 'herald_tenant_sends_total',
    help: `Send attempts per tenant and outcome; the first ${cap} tenants this process sent for (METRICS_TENANT_LABELS) by id, the rest as "${OTHER_TENANTS}".`,
    labelNames: ['tenant_id', 'outcome'] as const,
    registers: [registry],
  });
  const labelled = new Set<string>();
  const children = new Map<string, Counter.Internal>();
  return (tenantId, outcome, n) => {
    if (!labelled.has(tenantId) && labelled.size < cap) labelled.add(tenantId);
    const tenant = labelled.has(tenantId) ? tenantId : OTHER_TENANTS;
    const key = `${tenant} ${outcome}`;
    let child = children.get(key);
    if (!child) {
      child = counter.labels(tenant, outcome);
      children.set(key, child);
    }
    child.inc(n);
  };
}
