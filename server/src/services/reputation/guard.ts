import type { TransactionSql } from 'postgres';
import type { Deps } from '../../deps.js';
import { judgeReputation, type ReputationState } from './policy.js';
import { recentCounts, reputationView, storedReputation, type ReputationView } from './store.js';

type GuardDeps = Pick<Deps, 'sql' | 'logger' | 'env'>;

/**
 * The reputation guard for one tenant: judges its recent rates and, when the
 * verdict changes, records it; a pause also pauses every `sending` campaign
 * of the tenant with the reason, in the same transaction (send lanes only
 * claim for `sending` campaigns, so no new batch starts after it commits).
 * A pause is never lifted here: only an owner resumes (reputationResume).
 * `record` also stores unchanged counts (after an events batch); a plain
 * read writes nothing unless the state changes.
 */
export async function evaluateReputation(deps: GuardDeps, tenantId: string, opts: { record: boolean }): Promise<ReputationView> {
  const minSends = deps.env.reputationMinSends;
  const stored = await storedReputation(deps.sql, tenantId);
  const counts = await recentCounts(deps.sql, tenantId, stored?.resumedAt ?? null);
  const verdict = judgeReputation(counts, minSends);
  const before: ReputationState = stored?.state ?? 'ok';
  if (before === 'paused' || (!opts.record && verdict.state === before)) return reputationView(stored, counts, verdict, minSends);

  const result = await deps.sql.begin((tx) => recordVerdict(tx, tenantId, minSends));
  if (result.view.state !== result.before) {
    deps.logger.warn(
      { tenantId, from: result.before, to: result.view.state, sends: result.view.sends, bounces: result.view.bounces, complaints: result.view.complaints, campaignsPaused: result.campaignsPaused },
      'reputation state changed',
    );
  }
  return result.view;
}

/** Under the tenant's row lock, so concurrent event batches and a resume meet one at a time. */
async function recordVerdict(tx: TransactionSql, tenantId: string, minSends: number) {
  await tx`insert into tenant_reputation (tenant_id) values (${tenantId}) on conflict (tenant_id) do nothing`;
  const stored = await storedReputation(tx, tenantId, true);
  const counts = await recentCounts(tx, tenantId, stored?.resumedAt ?? null);
  const verdict = judgeReputation(counts, minSends);
  const before: ReputationState = stored?.state ?? 'ok';
  if (before === 'paused') return { before, view: reputationView(stored, counts, verdict, minSends), campaignsPaused: 0 };

  const pausing = verdict.state === 'paused';
  const paused = pausing
    ? await tx`update campaigns set status = 'paused', paused_reason = ${verdict.reason}, updated_at = now()
               where tenant_id = ${tenantId} and status = 'sending' returning id`
    : [];
  // clock_timestamp(), not the transaction's start: the pause takes effect at the commit right after this.
  await tx`
    update tenant_reputation set state = ${verdict.state}, sends = ${counts.sends}, bounces = ${counts.bounces}, complaints = ${counts.complaints},
      bounce_rate = ${verdict.bounceRate}, complaint_rate = ${verdict.complaintRate}, reason = ${verdict.reason}, checked_at = now(),
      paused_at = ${pausing ? tx`clock_timestamp()` : tx`paused_at`}
    where tenant_id = ${tenantId}`;
  return { before, view: reputationView(await storedReputation(tx, tenantId), counts, verdict, minSends), campaignsPaused: paused.length };
}

/** reputation.get: computed fresh (and enforced, should the verdict have moved since the last events batch). */
export function getReputation(deps: GuardDeps, tenantId: string): Promise<ReputationView> {
  return evaluateReputation(deps, tenantId, { record: false });
}

/**
 * Runs after an events batch committed, for the tenants it gave hard
 * bounces or complaints. A failure is logged, not thrown: the events are
 * stored already, and the tenant's next bounce runs the guard again.
 */
export async function guardTenants(deps: GuardDeps, tenantIds: Iterable<string>): Promise<void> {
  for (const tenantId of new Set(tenantIds)) {
    try {
      await evaluateReputation(deps, tenantId, { record: true });
    } catch (err) {
      deps.logger.error({ err, tenantId }, 'reputation guard failed');
    }
  }
}
