/**
 * The soak's two tenants. The sender: a SES-simulator account at 14/s and a
 * list it mails campaign after campaign. The load tenant: a pool of messages
 * written in SQL as `sent` (the pipeline's end state), which the load
 * client's notifications are about.
 */
import type { Sql } from 'postgres';
import { readyTenant, topicArnOf, type Tenant } from '../event-tenant.js';
import { sentCampaign, type Message } from '../webhook/campaign.js';
import type { EventsContext } from '../webhook/events.js';
import type { SimulatorProcess } from '../send-procs.js';

export const SENDER_KEYS = { accessKeyId: 'BENCHSOAKSENDER00001', secretAccessKey: 'bench-soak-sender-secret', accountId: '320000000001' };

export async function readySender(url: string, sql: Sql, sim: SimulatorProcess, rate: number, contacts: number): Promise<Tenant> {
  const tenant = await readyTenant(url, sql, sim, { name: 'SoakSender', ...SENDER_KEYS, maxSendRate: rate });
  await sql`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${tenant.tenantId}, 'reader-' || i || '@inbox.test', 'Reader' || i from generate_series(1, ${contacts}) i
      returning id
    )
    insert into list_members (list_id, contact_id, tenant_id) select ${tenant.listId}, id, ${tenant.tenantId} from made`;
  await sql`vacuum analyze contacts, list_members`;
  return tenant;
}

/** The load tenant and the context its notifications are signed in. */
export async function readyLoadTenant(url: string, sql: Sql, sim: SimulatorProcess, messages: number): Promise<{ ctx: EventsContext; messages: Message[] }> {
  const tenant = await readyTenant(url, sql, sim, { name: 'SoakLoad', accessKeyId: 'BENCHSOAKLOAD0000001', secretAccessKey: 'bench-soak-load-secret', accountId: '320000000002' });
  const made = await sentCampaign(url, sql, tenant, 'load', messages);
  return { ctx: { tenant, campaignId: made.campaignId, topicArn: topicArnOf(tenant.accountId), sentAt: new Date(Date.now() - 180_000).toISOString() }, messages: made.messages };
}
