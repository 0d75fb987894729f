import type { Sql } from 'postgres';
import type { CampaignStatus } from './records.js';
import { campaignCounts, doneCount, type CampaignCounts } from './stats.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';

/** Milestones counted by the triggers of migration 0010 (message_milestones()). */
export const MILESTONES = ['sent', 'delivered', 'opened', 'clicked', 'bounced_hard', 'bounced_soft', 'complained'] as const;
type Milestone = (typeof MILESTONES)[number];

/**
 * `sent`, `delivered`, `opened`, `clicked`, `bounced*` and `complained` count
 * every message that ever reached that milestone (a complaint after a
 * delivery still counts as delivered; opens and clicks are unique per
 * recipient); `queued`, `failed`, `rejected`, `suppressed`, `cancelled` and
 * `unknown` count messages in that status now.
 */
export type MetricsCounts = {
  recipients: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  bounced: number;
  bouncedHard: number;
  bouncedSoft: number;
  complained: number;
  opened: number;
  clicked: number;
  failed: number;
  rejected: number;
  suppressed: number;
  cancelled: number;
  unknown: number;
};
export type CampaignRates = { delivery: number | null; open: number | null; click: number | null; bounce: number | null; complaint: number | null };
export type CampaignMetrics = {
  id: string;
  status: CampaignStatus;
  pausedReason: string | null;
  counts: MetricsCounts;
  rates: CampaignRates;
  /** Messages per current status: what the recipients table's filter offers. */
  statuses: CampaignCounts;
  /** Messages whose sending is over (sent, failed, suppressed, …). */
  done: number;
  /** done / recipients, 0..1. */
  progress: number;
};

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function ratesOf(c: MetricsCounts): CampaignRates {
  return {
    delivery: ratio(c.delivered, c.sent),
    open: ratio(c.opened, c.delivered),
    click: ratio(c.clicked, c.delivered),
    bounce: ratio(c.bounced, c.sent),
    complaint: ratio(c.complained, c.delivered),
  };
}

async function milestoneCounts(sql: Sql, tenantId: string, campaignId: string): Promise<Record<Milestone, number>> {
  const rows = await sql<{ metric: Milestone; n: number }[]>`
    select metric, sum(count)::float8 as n from campaign_counters
    where campaign_id = ${campaignId} and tenant_id = ${tenantId} group by metric`;
  const counts = Object.fromEntries(MILESTONES.map((m) => [m, 0])) as Record<Milestone, number>;
  for (const row of rows) counts[row.metric] = row.n;
  return counts;
}

/** Reads maintained counters only (a few dozen rows whatever the campaign's size), never messages. */
export async function campaignMetrics(deps: Pick<Deps, 'sql'>, tenantId: string, id: string): Promise<CampaignMetrics> {
  const [campaign] = await deps.sql<{ status: CampaignStatus; pausedReason: string | null }[]>`
    select status, paused_reason as "pausedReason" from campaigns where id = ${id} and tenant_id = ${tenantId}`;
  if (!campaign) throw new AppError('NOT_FOUND', 'No campaign with this id.');
  const [statuses, milestones] = await Promise.all([campaignCounts(deps.sql, tenantId, id), milestoneCounts(deps.sql, tenantId, id)]);
  const counts: MetricsCounts = {
    recipients: statuses.recipients,
    queued: statuses.queued,
    sending: statuses.sending,
    sent: milestones.sent,
    delivered: milestones.delivered,
    bounced: milestones.bounced_hard + milestones.bounced_soft,
    bouncedHard: milestones.bounced_hard,
    bouncedSoft: milestones.bounced_soft,
    complained: milestones.complained,
    opened: milestones.opened,
    clicked: milestones.clicked,
    failed: statuses.failed,
    rejected: statuses.rejected,
    suppressed: statuses.suppressed,
    cancelled: statuses.cancelled,
    unknown: statuses.unknown,
  };
  const done = doneCount(statuses);
  return { id, status: campaign.status, pausedReason: campaign.pausedReason, counts, rates: ratesOf(counts), statuses, done, progress: statuses.recipients > 0 ? done / statuses.recipients : 0 };
}
