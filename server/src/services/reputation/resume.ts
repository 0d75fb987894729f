import { AppError } from '../../errors.js';
import { enqueueFanOut, enqueueLanes, laneCount } from '../../sending/lanes.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import type { Deps } from '../../deps.js';
import { getReputation } from './guard.js';
import { storedReputation, type ReputationView } from './store.js';

/**
 * An owner lifts the guard's pause: the tenant is `ok` again, only sends
 * from now on count (resumed_at), and the campaigns the guard paused — those
 * carrying its reason, not ones paused by hand or for another cause — go on
 * sending, as campaigns.resume does for one (lanes, and the fan-out if it
 * was not finished), all in one transaction.
 */
export async function resumeReputation(deps: Deps, tenantId: string, userId: string): Promise<ReputationView> {
  const channel = await loadSendingChannel(deps, tenantId);
  // Without SES the lanes pause the campaigns again, saying so; the tenant's reputation is resumed all the same.
  const lanes = laneCount(channel?.ratePerSec ?? 1, deps.env.workerConcurrency);
  const resumed = await deps.sql.begin(async (tx) => {
    const stored = await storedReputation(tx, tenantId, true);
    if (stored?.state !== 'paused') return null;
    await tx`update tenant_reputation set state = 'ok', reason = null, resumed_at = now(), resumed_by = ${userId}, checked_at = now()
             where tenant_id = ${tenantId}`;
    const campaigns = await tx<{ id: string; fannedOut: boolean }[]>`
      update campaigns set status = 'sending', paused_reason = null, updated_at = now()
      where tenant_id = ${tenantId} and status = 'paused' and paused_reason = ${stored.reason}
      returning id, fanned_out_at is not null as "fannedOut"`;
    for (const c of campaigns) {
      if (!c.fannedOut) await enqueueFanOut(tx, c.id);
      await enqueueLanes(tx, c.id, lanes);
    }
    return campaigns.map((c) => c.id);
  });
  if (!resumed) throw new AppError('CONFLICT', 'Sending is not paused by the reputation guard, so there is nothing to resume.');
  deps.logger.warn({ tenantId, userId, campaigns: resumed }, 'reputation guard pause lifted by an owner');
  return getReputation(deps, tenantId);
}
