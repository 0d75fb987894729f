import { messageStatus } from '../../db/schema/index.js';
import type { Sql } from 'postgres';

export const MESSAGE_STATUSES = messageStatus.enumValues;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Messages per status, and `recipients`, their total (everyone the campaign was addressed to). */
export type CampaignCounts = Record<MessageStatus, number> & { recipients: number };

const zeroCounts = (): CampaignCounts => ({ ...(Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>), recipients: 0 });

/** Counts of several campaigns of one tenant, from the maintained counters (never a scan of messages). */
export async function countsByCampaign(sql: Sql, tenantId: string, campaignIds: string[]): Promise<Map<string, CampaignCounts>> {
  const totals = new Map<string, Partial<Record<MessageStatus, number>>>(campaignIds.map((id) => [id, {}]));
  if (campaignIds.length > 0) {
    const rows = await sql<{ campaignId: string; status: MessageStatus; n: number }[]>`
      select campaign_id as "campaignId", status, sum(count)::float8 as n
      from campaign_stats
      where tenant_id = ${tenantId} and campaign_id = any(${campaignIds}::uuid[])
      group by campaign_id, status`;
    for (const row of rows) {
      const campaign = totals.get(row.campaignId);
      if (campaign) campaign[row.status] = row.n;
    }
  }
  return new Map([...totals].map(([id, byStatus]) => [id, countsOf(byStatus)]));
}

/** Counts from per-status totals (a status with no messages may be missing). */
export function countsOf(totals: Partial<Record<MessageStatus, number>>): CampaignCounts {
  const counts = zeroCounts();
  for (const status of MESSAGE_STATUSES) {
    counts[status] = totals[status] ?? 0;
    counts.recipients += counts[status];
  }
  return counts;
}

export async function campaignCounts(sql: Sql, tenantId: string, campaignId: string): Promise<CampaignCounts> {
  return (await countsByCampaign(sql, tenantId, [campaignId])).get(campaignId) ?? zeroCounts();
}

/** Messages whose sending is over, whatever came of it. */
export const doneCount = (c: CampaignCounts) => c.recipients - c.queued - c.sending;
