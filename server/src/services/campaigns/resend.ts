import { AppError } from '../../errors.js';
import { enqueueFanOut, enqueueLanes, laneCount } from '../../sending/lanes.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import { loadCampaign } from './records.js';
import type { Deps } from '../../deps.js';
import { assertReputationAllowsSending } from '../reputation/check.js';

const STATE_WORDS: Record<string, string> = { draft: 'is still a draft', sending: 'is still sending', cancelled: 'was cancelled', failed: 'failed' };

type Outcome = { kind: 'wrongState'; status: string } | { kind: 'done'; failed: number; requeued: number };

/**
 * "Resend to failed": messages that never left (status `failed`: SES
 * refused them or kept failing) go back to the queue and the campaign sends
 * again. Nothing that may have reached SES is touched: not `unknown`, not
 * anything sent, delivered or bounced. A recipient who has since been
 * suppressed, unsubscribed or deleted keeps the failure and is skipped (the
 * claim would skip them anyway; here the count says so up front). A paused
 * campaign resumes with them, as "resume" would. One transaction, with the
 * campaign row locked: requeued messages, the status change and the send
 * jobs commit together or not at all.
 */
export async function resendFailed(deps: Deps, tenantId: string, id: string): Promise<{ requeued: number }> {
  await loadCampaign(deps, tenantId, id); // NOT_FOUND for another tenant's id
  const channel = await loadSendingChannel(deps, tenantId);
  if (!channel) throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before resending.', { problem: 'NO_CHANNEL', fixPath: '/settings/channels' });

  const result = await deps.sql.begin(async (tx): Promise<Outcome> => {
    const [campaign] = await tx<{ status: string; fannedOut: boolean }[]>`
      select status, fanned_out_at is not null as "fannedOut" from campaigns where id = ${id} and tenant_id = ${tenantId} for no key update`; // see lifecycle.ts
    if (!campaign) throw new AppError('NOT_FOUND', 'No campaign with this id.');
    if (campaign.status !== 'sent' && campaign.status !== 'paused') return { kind: 'wrongState', status: campaign.status };
    // The campaign sends again: the reputation guard has the same say as over send and resume.
    await assertReputationAllowsSending(tx, tenantId);
    // A failed message has no SES id and no sent time by construction (claims.ts); the check keeps it so.
    const [counts] = await tx<{ failed: number; requeued: number }[]>`
      with failed as (
        select m.id, c.status is distinct from 'subscribed'
          or exists (select 1 from suppressions s where s.tenant_id = m.tenant_id and s.email = m.to_address) as blocked
        from messages m left join contacts c on c.id = m.contact_id
        where m.campaign_id = ${id} and m.status = 'failed' and m.sent_at is null and m.provider_message_id is null
      ),
      requeued as (
        update messages m set status = 'queued', attempts = 0, last_error = null, failed_at = null, claim_token = null,
          next_attempt_at = null, lease_until = null, updated_at = now()
        from failed f where m.id = f.id and not f.blocked
        returning m.id
      )
      select (select count(*) from failed)::int as failed, (select count(*) from requeued)::int as requeued`;
    if (!counts || counts.requeued === 0) return { kind: 'done', failed: counts?.failed ?? 0, requeued: 0 };
    await tx`update campaigns set status = 'sending', sent_at = null, paused_reason = null, updated_at = now() where id = ${id}`;
    if (!campaign.fannedOut) await enqueueFanOut(tx, id);
    await enqueueLanes(tx, id, laneCount(channel.ratePerSec, deps.env.workerConcurrency));
    return { kind: 'done', ...counts };
  });

  if (result.kind === 'wrongState') {
    const now = STATE_WORDS[result.status] ?? `is ${result.status}`;
    throw new AppError('CONFLICT', `Failed messages can be resent once the campaign has finished sending, or while it is paused; this campaign ${now}.`);
  }
  if (result.failed === 0) throw new AppError('CONFLICT', 'Nothing to resend: no message of this campaign failed.');
  if (result.requeued === 0) throw new AppError('CONFLICT', 'Nothing to resend: every recipient whose message failed has since been suppressed, unsubscribed or deleted.');
  deps.logger.info({ tenantId, campaignId: id, requeued: result.requeued, skipped: result.failed - result.requeued }, 'failed messages requeued');
  return { requeued: result.requeued };
}
