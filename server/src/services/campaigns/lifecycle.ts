import type { TransactionSql } from 'postgres';
import { AppError } from '../../errors.js';
import { enqueueFanOut, enqueueLanes, laneCount } from '../../sending/lanes.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import { checkCampaignSend, refusalOf } from './sendCheck.js';
import { startSending } from './startSending.js';
import { getCampaign, loadCampaign, type CampaignView } from './records.js';
import type { Deps } from '../../deps.js';
import { assertReputationAllowsSending } from '../reputation/check.js';

/**
 * Starts sending: every check of the send confirmation must pass, then in
 * one transaction the campaign becomes `sending` and its fan-out job is
 * enqueued (a crash can leave neither half alone).
 */
export async function sendCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  const check = await checkCampaignSend(deps, tenantId, id);
  const refusal = refusalOf(check);
  if (refusal) throw refusal;
  const started = await deps.sql.begin((tx) => startSending(tx, tenantId, id, 'draft'));
  if (!started) throw new AppError('CONFLICT', 'This campaign has already been sent; only a draft can be sent.');
  deps.logger.info({ tenantId, campaignId: id, recipients: check.recipients }, 'campaign sending started');
  return getCampaign(deps, tenantId, id);
}

async function transition(deps: Deps, tenantId: string, id: string, from: string[], conflict: string, apply: (tx: TransactionSql) => Promise<void>): Promise<CampaignView> {
  await loadCampaign(deps, tenantId, id); // NOT_FOUND for another tenant's id
  const moved = await deps.sql.begin(async (tx) => {
    // FOR NO KEY UPDATE, not FOR UPDATE: senders and event batches that this transaction may wait for
    // (a cancel meets their locked messages) insert rows referencing the campaign, and the foreign key
    // check's FOR KEY SHARE would otherwise wait for this transaction in turn: a deadlock.
    const [row] = await tx<{ status: string }[]>`select status from campaigns where id = ${id} and tenant_id = ${tenantId} for no key update`;
    if (!row || !from.includes(row.status)) return false;
    await apply(tx);
    return true;
  });
  if (!moved) throw new AppError('CONFLICT', conflict);
  return getCampaign(deps, tenantId, id);
}

/** Stops claiming new messages; sends already under way finish and are recorded. */
export function pauseCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  return transition(deps, tenantId, id, ['sending'], 'Only a campaign that is sending can be paused.', async (tx) => {
    await tx`update campaigns set status = 'paused', paused_reason = null, updated_at = now() where id = ${id}`;
  });
}

export async function resumeCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  const channel = await loadSendingChannel(deps, tenantId);
  if (!channel) throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before resuming.', { problem: 'NO_CHANNEL', fixPath: '/settings/channels' });
  return transition(deps, tenantId, id, ['paused'], 'Only a paused campaign can be resumed.', async (tx) => {
    await assertReputationAllowsSending(tx, tenantId);
    const [row] = await tx<{ fannedOut: boolean }[]>`
      update campaigns set status = 'sending', paused_reason = null, updated_at = now() where id = ${id}
      returning fanned_out_at is not null as "fannedOut"`;
    if (!row?.fannedOut) await enqueueFanOut(tx, id);
    await enqueueLanes(tx, id, laneCount(channel.ratePerSec, deps.env.workerConcurrency));
  });
}

/**
 * Final: messages not yet claimed become `cancelled` and are never sent.
 * The campaign row is locked first, so a fan-out chunk in progress either
 * commits before (and its rows are cancelled here) or sees the cancel and stops.
 */
export function cancelCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  return transition(deps, tenantId, id, ['sending', 'paused'], 'Only a campaign that is sending or paused can be cancelled.', async (tx) => {
    await tx`update campaigns set status = 'cancelled', cancelled_at = now(), paused_reason = null, updated_at = now() where id = ${id}`;
    await tx`update messages set status = 'cancelled', updated_at = now() where campaign_id = ${id} and status = 'queued'`;
  });
}
