import { loadCampaign } from './records.js';
import type { Deps } from '../../deps.js';

/** `clicks`: every click on the link; `recipients`: how many recipients clicked it at least once. */
export type CampaignLink = { url: string; clicks: number; recipients: number };

const TOP_LINKS = 50;

/** The campaign's most clicked links, from the counts SES Click events keep (events/applyEffects.ts). */
export async function campaignLinks(deps: Deps, tenantId: string, id: string): Promise<CampaignLink[]> {
  await loadCampaign(deps, tenantId, id);
  const rows = await deps.sql<CampaignLink[]>`
    select url, clicks::float8 as clicks, recipients::float8 as recipients from campaign_links
    where campaign_id = ${id} and tenant_id = ${tenantId}
    order by clicks desc, recipients desc, url
    limit ${TOP_LINKS}`;
  return [...rows];
}
