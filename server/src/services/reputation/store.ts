import type { Sql, TransactionSql } from 'postgres';
import { toIso } from '../../db/times.js';
import { REPUTATION_THRESHOLDS, REPUTATION_WINDOW_DAYS, type ReputationCounts, type ReputationState, type ReputationVerdict } from './policy.js';

/** What reputation.get answers (and the dashboard shows): fresh counts and rates, with the thresholds they are judged by. */
export type ReputationView = ReputationCounts & {
  state: ReputationState;
  bounceRate: number | null;
  complaintRate: number | null;
  /** Sends needed before the rates count. */
  minSends: number;
  thresholds: typeof REPUTATION_THRESHOLDS;
  reason: string | null;
  pausedAt: string | null;
  resumedAt: string | null;
};

export type StoredReputation = { state: ReputationState; reason: string | null; pausedAt: string | null; resumedAt: string | null };

type AnySql = Sql | TransactionSql;

/** The guard's last verdict for the tenant; none until its first bounce or complaint. */
export async function storedReputation(sql: AnySql, tenantId: string, lock = false): Promise<StoredReputation | null> {
  const [row] = await sql<{ state: ReputationState; reason: string | null; pausedAt: string | null; resumedAt: string | null }[]>`
    select state, reason, paused_at as "pausedAt", resumed_at as "resumedAt"
    from tenant_reputation where tenant_id = ${tenantId} ${lock ? sql`for update` : sql``}`;
  if (!row) return null;
  return { ...row, pausedAt: row.pausedAt && toIso(row.pausedAt), resumedAt: row.resumedAt && toIso(row.resumedAt) };
}

/**
 * Sends, hard bounces and complaints of the window — the last 7 days, and
 * only whole minutes after the last resume, so the bounces that caused a
 * pause do not cause the next one — from the per-minute counters (three
 * range scans of the (tenant, metric, bucket) index; never messages).
 */
export async function recentCounts(sql: AnySql, tenantId: string, resumedAt: string | null): Promise<ReputationCounts> {
  const [row] = await sql<ReputationCounts[]>`
    select coalesce(sum(count) filter (where metric = 'sent'), 0)::float8 as sends,
      coalesce(sum(count) filter (where metric = 'bounced_hard'), 0)::float8 as bounces,
      coalesce(sum(count) filter (where metric = 'complained'), 0)::float8 as complaints
    from campaign_timeline
    where tenant_id = ${tenantId} and metric in ('sent', 'bounced_hard', 'complained')
      and bucket >= greatest(now() - make_interval(days => ${REPUTATION_WINDOW_DAYS}), ${resumedAt}::timestamptz)`;
  return row ?? { sends: 0, bounces: 0, complaints: 0 };
}

/** A pause holds until an owner resumes, whatever the rates say by now: its reason is the one the campaigns carry. */
export function reputationView(stored: StoredReputation | null, counts: ReputationCounts, verdict: ReputationVerdict, minSends: number): ReputationView {
  const paused = stored?.state === 'paused';
  return {
    state: paused ? 'paused' : verdict.state,
    ...counts,
    bounceRate: verdict.bounceRate,
    complaintRate: verdict.complaintRate,
    minSends,
    thresholds: REPUTATION_THRESHOLDS,
    reason: paused ? stored.reason : verdict.reason,
    pausedAt: stored?.pausedAt ?? null,
    resumedAt: stored?.resumedAt ?? null,
  };
}
