import type { Sql } from 'postgres';
import { createCampaign, type Tenant } from '../event-tenant.js';

/** A message of the run's campaign; `i` numbers its recipient (`<tag>-<i>@inbox.test`). */
export type Message = { i: number; id: string; to: string; sesId: string };

/** `count` fresh contacts on the list and a campaign to them whose messages are all `sent` (SQL, as the pipeline leaves them). */
export async function sentCampaign(url: string, sql: Sql, tenant: Tenant, tag: string, count: number): Promise<{ campaignId: string; messages: Message[] }> {
  const campaignId = await createCampaign(url, tenant, `webhook ${tag}`);
  const rows = await sql<{ id: string; to: string; sesId: string }[]>`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${tenant.tenantId}, ${tag} || '-' || i || '@inbox.test', 'Reader' || i from generate_series(1, ${count}) i
      returning id, email
    ), members as (
      insert into list_members (list_id, contact_id, tenant_id) select ${tenant.listId}, id, ${tenant.tenantId} from made
    )
    insert into messages (tenant_id, campaign_id, contact_id, to_address, status, provider_message_id, sending_at, sent_at)
    select ${tenant.tenantId}, ${campaignId}, id, email, 'sent',
      '0100019' || substr(md5(email), 1, 9) || '-' || gen_random_uuid() || '-000000', now() - interval '3 minutes', now() - interval '3 minutes'
    from made
    returning id, to_address as "to", provider_message_id as "sesId"`;
  await sql`update campaigns set status = 'sent', started_at = now() - interval '4 minutes', sent_at = now() - interval '3 minutes' where id = ${campaignId}`;
  await sql`analyze contacts, list_members, messages, message_events`;
  const messages = rows.map((r) => ({ ...r, i: Number(/-(\d+)@/.exec(r.to)![1]) })).sort((a, b) => a.i - b.i);
  return { campaignId, messages };
}
