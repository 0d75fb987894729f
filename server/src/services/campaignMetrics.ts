import type { CampaignStatus } from './campaigns.js';
import { loadCampaign } from './campaigns.js';
import { campaignCounts, doneCount, type CampaignCounts } from './campaignStats.js';
import type { Deps } from './deps.js';

export type CampaignRates = { delivery: number | null; open: number | null; click: number | null; bounce: number | null; complaint: number | null };
export type CampaignMetrics = {
  id: string;
  status: CampaignStatus;
  pausedReason: string | null;
  counts: CampaignCounts;
  rates: CampaignRates;
  /** Messages whose sending is over (sent, failed, suppressed, …). */
  done: number;
  /** done / recipients, 0..1. */
  progress: number;
};

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/**
 * A message that was opened was delivered, and one that was clicked was
 * opened (DESIGN §4 ranks them), so each rate's numerator counts the
 * statuses at or above it.
 */
export function ratesOf(c: CampaignCounts): CampaignRates {
  const delivered = c.delivered + c.opened + c.clicked + c.complained;
  const sent = c.sent + delivered + c.bounced;
  return {
    delivery: ratio(delivered, sent),
    open: ratio(c.opened + c.clicked, delivered),
    click: ratio(c.clicked, delivered),
    bounce: ratio(c.bounced, sent),
    complaint: ratio(c.complained, delivered),
  };
}

export async function campaignMetrics(deps: Deps, tenantId: string, id: string): Promise<CampaignMetrics> {
  const { row } = await loadCampaign(deps, tenantId, id);
  const counts = await campaignCounts(deps.sql, tenantId, id);
  const done = doneCount(counts);
  return { id, status: row.status, pausedReason: row.pausedReason, counts, rates: ratesOf(counts), done, progress: counts.recipients > 0 ? done / counts.recipients : 0 };
}
