import { countsByCampaign, doneCount } from '../campaigns/stats.js';
import { dailyCounts, ratesOf, totalsOf, type DashboardDay, type DayCounts } from './days.js';
import { toIso } from '../../db/times.js';
import type { Deps } from '../../deps.js';
import { findEmailChannelRow } from '../channels/emailChannel.js';
import { getReputation } from '../reputation/guard.js';
import type { ReputationView } from '../reputation/store.js';

/** Campaigns listed as "in flight" (and as failed scheduled starts) at most; the campaigns page has them all. */
const IN_FLIGHT_LIMIT = 20;

export type InFlightCampaign = {
  id: string;
  name: string;
  status: 'sending' | 'paused';
  recipients: number;
  /** Messages whose send step is over, whatever came of it. */
  done: number;
  /** done / recipients, 0–1 (0 while the audience is still being counted). */
  progress: number;
  pausedReason: string | null;
};

/** A scheduled campaign that did not start because a send check failed at its time; it is a draft again. */
export type ScheduleProblem = { campaignId: string; name: string; scheduledAt: string; problem: string };

export type DashboardSummary = {
  days: DashboardDay[];
  totals: DayCounts;
  rates: { delivery: number | null; bounce: number | null; complaint: number | null };
  reputation: ReputationView;
  inFlight: InFlightCampaign[];
  /** Until the campaign is scheduled again, sent or deleted. */
  scheduleProblems: ScheduleProblem[];
  ses: { connected: boolean; region: string | null; senderEmail: string | null; lastError: string | null };
};

async function inFlightCampaigns(deps: Deps, tenantId: string): Promise<InFlightCampaign[]> {
  const rows = await deps.sql<{ id: string; name: string; status: 'sending' | 'paused'; pausedReason: string | null }[]>`
    select id, name, status, paused_reason as "pausedReason" from campaigns
    where tenant_id = ${tenantId} and status in ('sending', 'paused')
    order by started_at desc nulls last, id
    limit ${IN_FLIGHT_LIMIT}`;
  const counts = await countsByCampaign(deps.sql, tenantId, rows.map((r) => r.id));
  return rows.map((row) => {
    const c = counts.get(row.id);
    const recipients = c?.recipients ?? 0;
    const done = c ? doneCount(c) : 0;
    return { ...row, recipients, done, progress: recipients > 0 ? done / recipients : 0 };
  });
}

async function scheduleProblems(deps: Deps, tenantId: string): Promise<ScheduleProblem[]> {
  const rows = await deps.sql<{ campaignId: string; name: string; scheduledAt: Date | string; problem: string }[]>`
    select id as "campaignId", name, scheduled_at as "scheduledAt", schedule_problem as problem from campaigns
    where tenant_id = ${tenantId} and status = 'draft' and schedule_problem is not null
    order by scheduled_at desc, id
    limit ${IN_FLIGHT_LIMIT}`;
  return rows.map((r) => ({ ...r, scheduledAt: toIso(r.scheduledAt) }));
}

/** Everything the dashboard shows, from counters and small tables only (never a scan of messages). */
export async function dashboardSummary(deps: Deps, tenantId: string): Promise<DashboardSummary> {
  const [days, reputation, inFlight, problems, channel] = await Promise.all([
    dailyCounts(deps.sql, tenantId, deps.now()),
    getReputation(deps, tenantId),
    inFlightCampaigns(deps, tenantId),
    scheduleProblems(deps, tenantId),
    findEmailChannelRow(deps, tenantId),
  ]);
  const totals = totalsOf(days);
  return {
    days,
    totals,
    rates: ratesOf(totals),
    reputation,
    inFlight,
    scheduleProblems: problems,
    ses: {
      connected: channel?.isConnected ?? false,
      region: channel?.sesRegion ?? null,
      senderEmail: channel?.verifiedSenderEmail ?? null,
      lastError: channel?.lastError ?? null,
    },
  };
}
