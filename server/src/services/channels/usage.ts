import type { Deps } from '../../deps.js';

/**
 * Emails Herald itself sent for the tenant in the last 24 hours: campaign
 * sends from the per-minute timeline (never a scan of messages) and test
 * emails SES accepted.
 */
export async function heraldSentLast24h(deps: Pick<Deps, 'sql'>, tenantId: string): Promise<number> {
  const [row] = await deps.sql<{ n: number }[]>`
    select
      coalesce((select sum(count) from campaign_timeline where tenant_id = ${tenantId} and metric = 'sent' and bucket > now() - interval '24 hours'), 0)::int
      + (select count(*) from test_sends where tenant_id = ${tenantId} and provider_message_id is not null and sent_at > now() - interval '24 hours')::int as n`;
  return row?.n ?? 0;
}
