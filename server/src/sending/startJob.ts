import type { Sql, TransactionSql } from 'postgres';
import { addJob } from '../queue/addJob.js';

/**
 * A scheduled campaign has one start job, keyed by the campaign: scheduling
 * again replaces it (graphile-worker keeps one waiting job per key), and
 * unscheduling removes it.
 */
export const startJobKey = (campaignId: string) => `campaign-start:${campaignId}`;

/** Retries of a start whose send checks could not reach SES; the last one gives up with the reason. */
export const START_MAX_ATTEMPTS = 5;

export async function enqueueStart(sql: Sql | TransactionSql, campaignId: string, runAt: Date): Promise<void> {
  await addJob(sql, 'campaigns__start', { campaignId }, { jobKey: startJobKey(campaignId), runAt, maxAttempts: START_MAX_ATTEMPTS });
}

/** A waiting start job is deleted; one running right now loses its key and finds the campaign no longer scheduled. */
export async function removeStart(sql: Sql | TransactionSql, campaignId: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${startJobKey(campaignId)})`;
}
