import type { TransactionSql } from 'postgres';
import { AppError } from '../../errors.js';
import type { SendProblem } from '../campaigns/sendProblem.js';
import type { Deps } from '../../deps.js';
import { storedReputation } from './store.js';

/** The dashboard is where the reason is shown and where an owner resumes. */
const FIX_PATH = '/';
const messageFor = (reason: string | null) => `Sending is paused by the reputation guard: ${reason ?? 'too many bounces or complaints.'}`;

/** For the send confirmation: while the guard holds the tenant, no campaign may start. */
export async function reputationPausedProblem(deps: Pick<Deps, 'sql'>, tenantId: string): Promise<SendProblem | null> {
  const stored = await storedReputation(deps.sql, tenantId);
  return stored?.state === 'paused' ? { code: 'REPUTATION_PAUSED', message: messageFor(stored.reason), fixPath: FIX_PATH } : null;
}

/**
 * Inside the transaction that sets a campaign `sending` (send, resume): the
 * share lock waits for a guard verdict being written, and the guard's own
 * pause waits for this transaction, so a campaign can never start between
 * the guard's check and its pause of the tenant's sending campaigns.
 */
export async function assertReputationAllowsSending(tx: TransactionSql, tenantId: string): Promise<void> {
  const [row] = await tx<{ state: string; reason: string | null }[]>`
    select state, reason from tenant_reputation where tenant_id = ${tenantId} for share`;
  if (row?.state !== 'paused') return;
  throw new AppError('PRECONDITION_FAILED', messageFor(row.reason), { problem: 'REPUTATION_PAUSED', fixPath: FIX_PATH });
}
