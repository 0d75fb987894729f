/** The `live` and `many` parts' campaign: messages already sent, and a Delivery notification for each. */
import type { Sql } from 'postgres';
import { createCampaign, heraldMail, type Tenant } from '../event-tenant.js';
import { fixture } from '../sns.js';
import { markSent } from './writes.js';

export type Message = { id: string; to: string; sesId: string };

export async function sentCampaign(sql: Sql, url: string, tenant: Tenant, tag: string, count: number): Promise<{ campaignId: string; messages: Message[] }> {
  const campaignId = await createCampaign(url, tenant, `metrics ${tag}`);
  const messages = await sql<Message[]>`
    insert into messages (tenant_id, campaign_id, to_address, status, provider_message_id, sending_at, sent_at)
    select ${tenant.tenantId}, ${campaignId}, ${tag} || '-' || i || '@inbox.test', 'sent',
      '0100019' || substr(md5(${tag} || i), 1, 9) || '-' || gen_random_uuid() || '-000000', now() - interval '3 minutes', now() - interval '3 minutes'
    from generate_series(1, ${count}::int) i
    returning id, to_address as "to", provider_message_id as "sesId"`;
  await markSent(sql, campaignId);
  await sql`analyze messages, message_events`;
  return { campaignId, messages };
}

const deliveryTemplate = fixture('ses-events/delivery.json');

/** A Delivery event as SES publishes it through a configuration set, with Herald's tags. */
export function delivery(tenant: Tenant, campaignId: string, m: Message, sentAt: string): string {
  const event = JSON.parse(deliveryTemplate) as { mail: Record<string, unknown>; delivery: Record<string, unknown> };
  Object.assign(event.mail, heraldMail({ accountId: tenant.accountId, tenantId: tenant.tenantId, campaignId, messageId: m.id, sesId: m.sesId, to: m.to, sentAt }));
  Object.assign(event.delivery, { timestamp: new Date().toISOString(), recipients: [m.to] });
  return JSON.stringify(event);
}
