import type { TransactionSql } from 'postgres';
import { enqueueFanOut } from '../../sending/lanes.js';
import { assertReputationAllowsSending } from '../reputation/check.js';

/**
 * The transactional half of every start, "send" pressed or a scheduled time
 * come: the campaign moves from `from` to `sending` and its fan-out job is
 * enqueued in the caller's transaction, so a crash leaves neither half
 * alone. Only a row still in `from` moves, so of two starts racing, one
 * wins. A scheduled start keeps `scheduled_at` (the page shows how late it
 * started); a draft sent by hand drops a schedule that failed before.
 * Returns whether this call started it.
 */
export async function startSending(tx: TransactionSql, tenantId: string, id: string, from: 'draft' | 'scheduled'): Promise<boolean> {
  await assertReputationAllowsSending(tx, tenantId);
  const rows = await tx`
    update campaigns set status = 'sending', started_at = now(), updated_at = now(), schedule_problem = null
      ${from === 'draft' ? tx`, scheduled_at = null, schedule_time_zone = null` : tx``}
    where id = ${id} and tenant_id = ${tenantId} and status = ${from} returning id`;
  if (rows.length === 0) return false;
  await enqueueFanOut(tx, id);
  return true;
}
