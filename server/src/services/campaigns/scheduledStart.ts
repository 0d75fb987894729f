import type { Sql, TransactionSql } from 'postgres';
import { toIso } from '../../db/times.js';
import { enqueueStart } from '../../sending/startJob.js';
import type { Deps } from '../../deps.js';
import { checkCampaignSend, type SendCheck } from './sendCheck.js';
import { startSending } from './startSending.js';

/** What the start job learned, for its log line. */
export type ScheduledStartOutcome = 'started' | 'refused' | 'not-scheduled' | 'not-due' | 'retry';

type Schedule = { tenantId: string; scheduledAt: Date; due: boolean };

/**
 * The campaign's schedule while it is still `scheduled`; `due` when its time
 * has come by the database clock (the one graphile-worker compares `run_at`
 * with). Locked, inside the start's transaction: a job that then finds the
 * campaign unscheduled, started, or moved to a later time does nothing, and
 * that is what makes a start happen once however many jobs or workers reach it.
 */
async function scheduleOf(sql: Sql | TransactionSql, campaignId: string, lock: boolean): Promise<Schedule | null> {
  const [row] = await sql<(Omit<Schedule, 'scheduledAt'> & { scheduledAt: Date | string })[]>`
    select tenant_id as "tenantId", scheduled_at as "scheduledAt", scheduled_at <= now() as due
    from campaigns where id = ${campaignId} and status = 'scheduled' ${lock ? sql`for update` : sql``}`;
  return row ? { ...row, scheduledAt: new Date(toIso(row.scheduledAt)) } : null;
}

/** The reasons the checks gave, as one text for the campaign page and the dashboard. */
const problemText = (check: SendCheck) => check.problems.map((p) => p.message).join(' ');

/**
 * Runs when a scheduled campaign's time comes: the send checks again, then
 * `scheduled → sending` with its fan-out exactly as "send" does. A check that
 * fails leaves the campaign a draft with the reason (`schedule_problem`),
 * which the campaign page and the owner's dashboard show. Only an SES that
 * could not be asked is tried again (`retry`), until the job's last attempt.
 */
export async function startScheduledCampaign(deps: Deps, campaignId: string, lastAttempt: boolean): Promise<ScheduledStartOutcome> {
  const seen = await scheduleOf(deps.sql, campaignId, false);
  if (!seen) return 'not-scheduled';
  if (!seen.due) {
    // This job outlived a reschedule to a later time: make sure the start waits for that time.
    await enqueueStart(deps.sql, campaignId, seen.scheduledAt);
    return 'not-due';
  }
  // The checks ask SES, so they run outside the transaction; the row is checked again under its lock.
  const check = await checkCampaignSend(deps, seen.tenantId, campaignId, ['scheduled']);
  const transient = check.problems.length > 0 && check.problems.every((p) => p.code === 'SES_CHECK_FAILED');
  if (transient && !lastAttempt) return 'retry';
  return deps.sql.begin(async (tx) => {
    const locked = await scheduleOf(tx, campaignId, true);
    if (!locked?.due) return 'not-scheduled';
    if (check.problems.length > 0) {
      await tx`update campaigns set status = 'draft', schedule_problem = ${problemText(check)}, updated_at = now() where id = ${campaignId}`;
      return 'refused';
    }
    return (await startSending(tx, locked.tenantId, campaignId, 'scheduled')) ? 'started' : 'not-scheduled';
  });
}
