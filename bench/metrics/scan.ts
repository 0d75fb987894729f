/**
 * The `read` part's baseline: what the counters replace, the campaign's
 * figures counted from its messages, and the check that both agree.
 */
import type { Sql } from 'postgres';
import type { CampaignMetrics } from '../../server/src/services/campaigns/metrics.js';

export type ScanCounts = { statuses: Record<string, number>; milestones: Record<string, number> };

/** The baseline: what the counters replace, read from messages (the campaign row, then both scans at once). */
export async function scanMetrics(sql: Sql, tenantId: string, campaignId: string): Promise<ScanCounts> {
  const [campaign] = await sql`select status, paused_reason from campaigns where id = ${campaignId} and tenant_id = ${tenantId}`;
  if (!campaign) throw new Error('no campaign');
  const [statusRows, [m]] = await Promise.all([
    sql<{ status: string; n: number }[]>`select status, count(*)::float8 as n from messages where campaign_id = ${campaignId} and tenant_id = ${tenantId} group by status`,
    sql<Record<string, number>[]>`
      select count(*) filter (where sent_at is not null)::float8 as sent,
        count(*) filter (where coalesce(delivered_at, opened_at, clicked_at) is not null)::float8 as delivered,
        count(*) filter (where coalesce(opened_at, clicked_at) is not null)::float8 as opened,
        count(*) filter (where clicked_at is not null)::float8 as clicked,
        count(*) filter (where bounced_at is not null and bounce_type = 'Permanent')::float8 as "bouncedHard",
        count(*) filter (where bounced_at is not null and bounce_type is distinct from 'Permanent')::float8 as "bouncedSoft",
        count(*) filter (where complained_at is not null)::float8 as complained
      from messages where campaign_id = ${campaignId} and tenant_id = ${tenantId}`,
  ]);
  return { statuses: Object.fromEntries(statusRows.map((r) => [r.status, r.n])), milestones: { ...m! } };
}

/** Where the counters (`campaignMetrics`) and the scan disagree; empty when they agree. */
export function countersVersusScan(metrics: CampaignMetrics, scanned: ScanCounts): string[] {
  const problems: string[] = [];
  const c = metrics.counts;
  const fromCounters = { sent: c.sent, delivered: c.delivered, opened: c.opened, clicked: c.clicked, bouncedHard: c.bouncedHard, bouncedSoft: c.bouncedSoft, complained: c.complained };
  if (JSON.stringify(fromCounters) !== JSON.stringify(Object.fromEntries(Object.keys(fromCounters).map((k) => [k, scanned.milestones[k]])))) {
    problems.push(`milestones: counters ${JSON.stringify(fromCounters)}, scan ${JSON.stringify(scanned.milestones)}`);
  }
  const statusesFromCounters = Object.fromEntries(Object.entries(metrics.statuses).filter(([k, n]) => k !== 'recipients' && n > 0));
  if (JSON.stringify(Object.entries(statusesFromCounters).sort()) !== JSON.stringify(Object.entries(scanned.statuses).sort())) {
    problems.push(`statuses: counters ${JSON.stringify(statusesFromCounters)}, scan ${JSON.stringify(scanned.statuses)}`);
  }
  return problems;
}

/** The scan's two plans (explain analyze): which scan Postgres chose for each. */
export async function scanPlans(pool: Sql, tenantId: string, campaignId: string): Promise<string> {
  const plans = await Promise.all([
    pool.unsafe(`explain analyze select status, count(*) from messages where campaign_id = $1 and tenant_id = $2 group by status`, [campaignId, tenantId]),
    pool.unsafe(`explain analyze select count(*) filter (where sent_at is not null), count(*) filter (where clicked_at is not null) from messages where campaign_id = $1 and tenant_id = $2`, [campaignId, tenantId]),
  ]);
  const planLine = (rows: Record<string, string>[]) => rows.map((r) => Object.values(r)[0]!).find((l) => /Scan/.test(l))?.trim().replace(/\s+\(cost=[^)]*\)/, '') ?? '?';
  return `status counts: ${planLine(plans[0] as unknown as Record<string, string>[])}; milestone counts: ${planLine(plans[1] as unknown as Record<string, string>[])}`;
}
