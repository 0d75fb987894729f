import type { Sql } from 'postgres';

export const DASHBOARD_DAYS = 30;

export type DayCounts = { sent: number; delivered: number; bounced: number; complained: number };
export type DashboardDay = DayCounts & { day: string };

/**
 * The timeline's metric behind each dashboard column. "Bounced" means hard
 * bounces: what Amazon SES's bounce rate counts, and so what the rate shown
 * beside SES's thresholds must count too.
 */
const METRICS: Record<string, keyof DayCounts> = { sent: 'sent', delivered: 'delivered', bounced_hard: 'bounced', complained: 'complained' };

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The first instant of the window: UTC midnight, DASHBOARD_DAYS − 1 days before `now`'s day. */
export function windowStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (DASHBOARD_DAYS - 1)));
}

/**
 * The tenant's milestones per UTC day over the last 30 days, every day
 * present (zeros filled), oldest first, from the per-minute counters: the
 * (tenant, metric, bucket) index keeps this a few range scans, whatever the
 * number of messages.
 */
export async function dailyCounts(sql: Sql, tenantId: string, now: Date): Promise<DashboardDay[]> {
  const start = windowStart(now);
  const rows = await sql<{ day: string; metric: string; n: number }[]>`
    select to_char(bucket at time zone 'UTC', 'YYYY-MM-DD') as day, metric, sum(count)::float8 as n
    from campaign_timeline
    where tenant_id = ${tenantId} and metric in ${sql(Object.keys(METRICS))} and bucket >= ${start.toISOString()}::timestamptz
    group by 1, 2`;
  const days = new Map<string, DashboardDay>();
  for (let i = 0; i < DASHBOARD_DAYS; i += 1) {
    const day = dayOf(new Date(start.getTime() + i * 86_400_000));
    days.set(day, { day, sent: 0, delivered: 0, bounced: 0, complained: 0 });
  }
  for (const row of rows) {
    const entry = days.get(row.day);
    const key = METRICS[row.metric];
    // A bucket after `now`'s day (clock skew between machines) has no column; leave it out.
    if (entry && key) entry[key] += row.n;
  }
  return [...days.values()];
}

export function totalsOf(days: DayCounts[]): DayCounts {
  return days.reduce((t, d) => ({ sent: t.sent + d.sent, delivered: t.delivered + d.delivered, bounced: t.bounced + d.bounced, complained: t.complained + d.complained }), {
    sent: 0,
    delivered: 0,
    bounced: 0,
    complained: 0,
  });
}

/** Shares of the sends; null with no sends (a 0 % would claim a clean record nobody made). */
export function ratesOf(totals: DayCounts): { delivery: number | null; bounce: number | null; complaint: number | null } {
  if (totals.sent === 0) return { delivery: null, bounce: null, complaint: null };
  return { delivery: totals.delivered / totals.sent, bounce: totals.bounced / totals.sent, complaint: totals.complained / totals.sent };
}
