import { toIso } from '../../db/times.js';
import { loadCampaign } from './records.js';
import type { Deps } from '../../deps.js';

const CHART_METRICS = ['sent', 'delivered', 'opened', 'clicked'] as const;
type ChartMetric = (typeof CHART_METRICS)[number];

export type TimelinePoint = { at: string } & Record<ChartMetric, number>;
export type CampaignTimeline = { bucketSeconds: number; points: TimelinePoint[] };

/** Bucket sizes the chart may use, smallest first: a minute up to a day. */
const BUCKETS = [60, 300, 900, 3600, 21_600, 86_400];
const MAX_POINTS = 120;

/**
 * The campaign's time chart, from the per-minute counters the triggers keep
 * (campaign_timeline), never from messages: the work grows with the minutes
 * that saw activity, not with the audience. One read: the minutes are summed
 * over shards once (minutes whose shards sum to 0, left by a milestone that
 * moved to an earlier minute, do not stretch the span), the smallest bucket
 * that shows the span in at most ~120 points is chosen (a day per point
 * beyond ~4 months), and the minutes are binned into it. Buckets with
 * nothing in them between the first and the last point are zeros.
 */
export async function campaignTimeline(deps: Deps, tenantId: string, id: string): Promise<CampaignTimeline> {
  await loadCampaign(deps, tenantId, id);
  const rows = await deps.sql<{ bucketSeconds: number; at: string; metric: ChartMetric; n: number }[]>`
    with minutes as materialized (
      select metric, bucket, sum(count) as n from campaign_timeline
      where campaign_id = ${id} and tenant_id = ${tenantId} and metric = any(${[...CHART_METRICS]})
      group by metric, bucket having sum(count) <> 0
    ),
    size as (
      select coalesce(min(b), ${BUCKETS.at(-1) as number}) as seconds
      from unnest(${BUCKETS}::int[]) b, (select extract(epoch from max(bucket) - min(bucket)) as span from minutes) s
      where floor(s.span / b) + 1 <= ${MAX_POINTS}
    )
    select size.seconds as "bucketSeconds", date_bin(make_interval(secs => size.seconds), m.bucket, timestamptz '1970-01-01 00:00:00+00') as at,
      m.metric, sum(m.n)::float8 as n
    from minutes m cross join size
    group by 1, 2, 3 order by 2`;
  const bucketSeconds = rows[0]?.bucketSeconds ?? (BUCKETS[0] as number);

  const byTime = new Map<number, TimelinePoint>();
  for (const row of rows) {
    const at = toIso(row.at);
    const point = byTime.get(Date.parse(at)) ?? { at, sent: 0, delivered: 0, opened: 0, clicked: 0 };
    point[row.metric] = row.n;
    byTime.set(Date.parse(at), point);
  }
  const times = [...byTime.keys()];
  const points: TimelinePoint[] = [];
  for (let t = times[0] ?? 0; t <= (times.at(-1) ?? -1); t += bucketSeconds * 1000) {
    points.push(byTime.get(t) ?? { at: new Date(t).toISOString(), sent: 0, delivered: 0, opened: 0, clicked: 0 });
  }
  return { bucketSeconds, points };
}
