import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../env.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from './createMetrics.js';
import { createSendTally } from './sendMetrics.js';

const metrics = (tenantLabels = 0) =>
  createMetrics({
    sql: {} as Sql, // only read when a database gauge is collected; these tests never collect one
    logger: createLogger('silent'),
    applicationName: 'test',
    appPoolMax: 10,
    tasks: ['campaigns__send'],
    exposed: false,
    tenantLabels,
  });

const heraldNames = () =>
  metrics(1)
    .registry.getMetricsAsArray()
    .map((m) => m.name)
    .filter((name) => name.startsWith('herald_'));

describe('the metrics registry', () => {
  it('adds up a batch and counts each kind of end once, with throttles beside the sends', async () => {
    const m = metrics();
    const tally = createSendTally();
    for (let i = 0; i < 3; i++) tally.add('sent', 'none');
    tally.add('requeued', 'throttled');
    tally.add('failed', 'permanent');
    tally.record(m.sends, 'campaign', 'tenant-a');
    const sends = await m.registry.getSingleMetric('herald_sends_total')?.get();
    const value = (outcome: string, errorClass: string) =>
      sends?.values.find((v) => v.labels.kind === 'campaign' && v.labels.outcome === outcome && v.labels.error_class === errorClass)?.value;
    expect([value('sent', 'none'), value('requeued', 'throttled'), value('failed', 'permanent'), value('unknown', 'unknown')]).toEqual([3, 1, 1, 0]);
    const throttles = await m.registry.getSingleMetric('herald_ses_throttles_total')?.get();
    expect(throttles?.values.find((v) => v.labels.kind === 'campaign' && v.labels.limit === 'rate')?.value).toBe(1);
  });

  it('labels sends by tenant only when METRICS_TENANT_LABELS allows, for at most that many tenants', async () => {
    expect(metrics(0).registry.getSingleMetric('herald_tenant_sends_total')).toBeUndefined();
    const m = metrics(2);
    for (const tenant of ['t1', 't2', 't3', 't1', 't4']) m.sends.sends('transactional', tenant, 'sent', 'none');
    m.sends.sends('campaign', 't2', 'failed', 'permanent', 3);
    const values = (await m.registry.getSingleMetric('herald_tenant_sends_total')?.get())?.values ?? [];
    const of = (tenant: string, outcome: string) => values.find((v) => v.labels.tenant_id === tenant && v.labels.outcome === outcome)?.value;
    expect([of('t1', 'sent'), of('t2', 'sent'), of('other', 'sent'), of('t2', 'failed')]).toEqual([2, 1, 2, 3]);
    expect(new Set(values.map((v) => v.labels.tenant_id))).toEqual(new Set(['t1', 't2', 'other']));
  });

  it('keeps every process its own registry', () => {
    const [a, b] = [metrics(), metrics()];
    a.sends.sends('campaign', 'tenant-a', 'sent', 'none', 5);
    expect(a.registry).not.toBe(b.registry);
    expect(b.registry.getSingleMetric('herald_sends_total')).not.toBe(a.registry.getSingleMetric('herald_sends_total'));
  });

  it('documents every metric in docs/operations.md', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'operations.md'), 'utf8');
    for (const name of heraldNames()) expect(doc, name).toContain(`\`${name}\``);
  });

  it('builds the Grafana dashboard only on metrics that exist', () => {
    const dashboard = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'grafana-dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const used = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/herald_[a-z_]+/g) ?? []));
    const known = new Set(heraldNames().flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]));
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });
});
