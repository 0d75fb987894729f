import type { Sql } from 'postgres';

/**
 * A campaign is `sent` only once its fan-out is complete and no message is
 * queued or being sent; every other message status is final for sending.
 * Reads the maintained counters, never scans messages.
 */
export async function finishIfDone(sql: Sql, campaignId: string): Promise<boolean> {
  const rows = await sql`
    update campaigns c set status = 'sent', sent_at = now(), updated_at = now()
    where c.id = ${campaignId} and c.status = 'sending' and c.fanned_out_at is not null
      and coalesce((select sum(s.count) from campaign_stats s
                    where s.campaign_id = c.id and s.status in ('queued', 'sending')), 0) = 0
    returning c.id`;
  return rows.length > 0;
}

/**
 * Recovery may have finished a campaign while one of its sends was only
 * slow, not dead (its message was marked `unknown`). If that send then
 * comes back unsent and its message returns to the queue, the campaign is
 * `sending` again, so the message does go out.
 */
export async function reopenIfRequeued(sql: Sql, campaignId: string): Promise<boolean> {
  const rows = await sql`
    update campaigns c set status = 'sending', sent_at = null, updated_at = now()
    where c.id = ${campaignId} and c.status = 'sent'
      and exists (select 1 from messages m where m.campaign_id = c.id and m.status = 'queued')
    returning c.id`;
  return rows.length > 0;
}

/**
 * Something about the tenant's SES account stops every send (paused
 * account, revoked keys): its sending campaigns pause with the reason, and
 * the channel says what is wrong until the tenant reconnects.
 */
export async function pauseTenantSending(sql: Sql, tenantId: string, reason: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update campaigns set status = 'paused', paused_reason = ${reason}, updated_at = now()
             where tenant_id = ${tenantId} and status = 'sending'`;
    await tx`update tenant_channel_settings set last_error = ${reason}, updated_at = now()
             where tenant_id = ${tenantId} and channel = 'email'`;
  });
}

/** SES's 24-hour quota is spent: nothing of this tenant's is sent before `until`. */
export async function pauseTenantUntil(sql: Sql, tenantId: string, until: Date, reason: string): Promise<void> {
  await sql`update tenant_channel_settings set sending_paused_until = ${until.toISOString()}::timestamptz, sending_paused_reason = ${reason}, updated_at = now()
            where tenant_id = ${tenantId} and channel = 'email'`;
}
