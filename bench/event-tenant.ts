/**
 * The tenant of the SES-event benches (webhook, metrics): signed up and
 * connected over HTTP to a simulator account, its campaigns, and the SES
 * `mail` of its messages as SES events carry it.
 */
import type { Sql } from 'postgres';
import { signUp, trpc } from './lib.js';
import type { SimulatorProcess } from './send-procs.js';
import { simAccountBody } from './send-tenant.js';

export type Tenant = { cookie: string; tenantId: string; listId: string; accountId: string };

/**
 * Signs up a tenant and connects it, over HTTP, to a simulator account made
 * up for the bench (`accessKeyId` is no AWS key), so its aws_account_id is set
 * and events on that account's topics reach it.
 */
export async function readyTenant(
  url: string,
  sql: Sql,
  sim: SimulatorProcess,
  account: { name: string; accessKeyId: string; secretAccessKey: string; accountId: string; maxSendRate?: number },
): Promise<Tenant> {
  const { name, accessKeyId, secretAccessKey, accountId, maxSendRate = 1000 } = account;
  await sim.putAccount(accessKeyId, simAccountBody(secretAccessKey, accountId, { maxSendRate }));
  const cookie = await signUp(url, name);
  await trpc(url, cookie, 'channels.email.connect', { accessKeyId, secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' }, 'mutation');
  await trpc(url, cookie, 'tenant.updateProfile', { companyName: `${name} Ltd`, postalAddress: 'Harbour Road 7\n20457 Hamburg' }, 'mutation');
  const { id: listId } = await trpc<{ id: string }>(url, cookie, 'lists.create', { name: 'Readers' }, 'mutation');
  const [row] = await sql<{ tenantId: string; accountId: string | null; connected: boolean }[]>`
    select l.tenant_id as "tenantId", t.aws_account_id as "accountId", t.is_connected as connected
    from lists l join tenant_channel_settings t on t.tenant_id = l.tenant_id where l.id = ${listId}`;
  if (!row?.connected || row.accountId !== accountId) throw new Error(`the tenant is not connected as account ${accountId}: ${JSON.stringify(row)}`);
  return { cookie, tenantId: row.tenantId, listId, accountId };
}

/** The `mail` object of an SES event for a message Herald sent through a configuration set, with Herald's tags. */
export function heraldMail(opts: { accountId: string; tenantId: string; campaignId: string; messageId: string; sesId: string; to: string; sentAt: string }) {
  return {
    timestamp: opts.sentAt,
    source: 'Sender News <news@sender.test>',
    sourceArn: `arn:aws:ses:us-east-1:${opts.accountId}:identity/news@sender.test`,
    sendingAccountId: opts.accountId,
    messageId: opts.sesId,
    destination: [opts.to],
    commonHeaders: { from: ['Sender News <news@sender.test>'], to: [opts.to], messageId: opts.sesId, subject: 'Autumn news' },
    tags: {
      'ses:operation': ['SendRawEmail'],
      'ses:configuration-set': ['herald-events'],
      'ses:source-ip': ['192.0.2.10'],
      'ses:from-domain': ['sender.test'],
      'ses:caller-identity': ['herald'],
      herald_tenant: [opts.tenantId],
      herald_campaign: [opts.campaignId],
      herald_message: [opts.messageId],
    },
  };
}

/** A campaign to the tenant's list (its messages are then written in SQL). */
export async function createCampaign(url: string, tenant: Tenant, name: string): Promise<string> {
  const { id } = await trpc<{ id: string }>(
    url,
    tenant.cookie,
    'campaigns.create',
    { name, channel: 'email', subject: 'Autumn news', fromEmail: 'news@sender.test', fromName: 'Sender News', html: '<p>Hi</p>', listId: tenant.listId },
    'mutation',
  );
  return id;
}

/** The SNS topic Herald's setup creates for the account's SES events. */
export const topicArnOf = (accountId: string) => `arn:aws:sns:us-east-1:${accountId}:herald-ses-events`;
