import type { CampaignStatus } from './records.js';
import { countsOf, doneCount, type CampaignCounts, type MessageStatus } from './stats.js';
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

/**
 * Reads maintained counters only (a few dozen rows whatever the campaign's size), never messages. One
 * statement, so one snapshot: the status counts and the milestones are written by the same transactions
 * and must agree (two queries could show the 40th delivery while the statuses still said 38).
 */
export async function campaignMetrics(deps: Pick<Deps, 'sql'>, tenantId: string, id: string): Promise<CampaignMetrics> {
  const [campaign] = await deps.sql<
    { status: CampaignStatus; pausedReason: string | null; statuses: Partial<Record<MessageStatus, number>>; milestones: Partial<Record<Milestone, number>> }[]
  >`
    select status, paused_reason as "pausedReason",
      (select coalesce(jsonb_object_agg(status, n), '{}') from (
        select status, sum(count)::float8 as n from campaign_stats where campaign_id = ${id} and tenant_id = ${tenantId} group by status) s) as statuses,
      (select coalesce(jsonb_object_agg(metric, n), '{}') from (
        select metric, sum(count)::float8 as n from campaign_counters where campaign_id = ${id} and tenant_id = ${tenantId} group by metric) m) as milestones
    from campaigns where id = ${id} and tenant_id = ${tenantId}`;
  if (!campaign) throw new AppError('NOT_FOUND', 'No campaign with this id.');
  const statuses = countsOf(campaign.statuses);
  const milestones = Object.fromEntries(MILESTONES.map((m) => [m, campaign.milestones[m] ?? 0])) as Record<Milestone, number>;
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
