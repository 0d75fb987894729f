import type { Sql, TransactionSql } from 'postgres';
import { addJob } from '../queue/addJob.js';

/**
 * A campaign is sent by a few "lanes": send jobs that each claim and send
 * batches for a bounded slice of time, then enqueue their own continuation.
 * Short slices keep a crashed worker's job from holding anything for long,
 * let graceful shutdown finish quickly, and let other tenants' jobs in
 * between (fairness). Several lanes let several workers share one campaign;
 * the shared rate limiter keeps their sum within the tenant's rate.
 */
/** What a lane's job does next: stop, run again now, or run again later. */
export type LaneNext = { next: 'done' } | { next: 'continue' } | { next: 'later'; runAt: Date };

export const laneJobKey = (campaignId: string, lane: number) => `campaign-send:${campaignId}:${lane}`;
export const fanOutJobKey = (campaignId: string) => `campaign-fan-out:${campaignId}`;

/** One lane per ~250 sends/s, at least 2 (so two workers share even a slow campaign), at most half a worker's slots. */
export function laneCount(ratePerSec: number, workerConcurrency: number): number {
  const max = Math.max(2, Math.floor(workerConcurrency / 2));
  return Math.min(max, Math.max(2, Math.ceil(ratePerSec / 250)));
}

/** Transient job failures (database hiccups) are retried by graphile-worker; recovery restarts a lane that gave up. */
const LANE_MAX_ATTEMPTS = 10;

export async function enqueueLane(sql: Sql | TransactionSql, campaignId: string, lane: number, runAt?: Date): Promise<void> {
  await addJob(sql, 'campaigns__send', { campaignId, lane }, { jobKey: laneJobKey(campaignId, lane), maxAttempts: LANE_MAX_ATTEMPTS, ...(runAt ? { runAt } : {}) });
}

export async function enqueueLanes(sql: Sql | TransactionSql, campaignId: string, lanes: number): Promise<void> {
  for (let lane = 0; lane < lanes; lane += 1) await enqueueLane(sql, campaignId, lane);
}

export async function enqueueFanOut(sql: Sql | TransactionSql, campaignId: string): Promise<void> {
  await addJob(sql, 'campaigns__fan_out', { campaignId }, { jobKey: fanOutJobKey(campaignId), maxAttempts: LANE_MAX_ATTEMPTS });
}
