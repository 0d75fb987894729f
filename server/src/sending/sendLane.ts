import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { campaigns } from '../db/schema/index.js';
import type { Deps } from '../deps.js';
import { campaignSender } from './campaignSender.js';
import { finishIfDone, pauseTenantSending, reopenIfRequeued } from './campaignState.js';
import { claimMessages, recordOutcomes, releaseUnansweredClaim, type Outcome } from './claims.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { sendBatch, stopForAccountWide, type LaneHalt } from './sendBatch.js';
import { loadSendingChannel } from './sendingChannel.js';
import { recoverStaleClaims } from './recovery.js';
import type { LaneNext } from './lanes.js';

const DONE: LaneNext = { next: 'done' };
const CONTINUE: LaneNext = { next: 'continue' };

/** A slice is short next to the lease, so a live lane never looks dead (see lanes.ts). */
export const sliceMs = (leaseMs: number) => Math.min(10_000, leaseMs / 4);

/** Sends per batch: about a quarter second of the tenant's rate, 1 to 50 (what one claim and one outcome write cover). */
export const batchSize = (ratePerSec: number) => Math.min(50, Math.max(1, Math.ceil(ratePerSec / 4)));

/**
 * Batches of one lane whose sends have started and whose outcomes are not yet written. More than one
 * keeps the rate independent of SES's answer time. Few, because a worker killed mid-send leaves every
 * claimed message of these batches `unknown` (bench/crash: four left up to 200 per kill at 200/s, the
 * goal's limit of one second of the rate).
 */
export const MAX_BATCHES_IN_FLIGHT = 3;

/**
 * One slice of one lane of a sending campaign: claim a batch, send it at
 * the tenant's rate, and while SES answers, claim and send the next; each
 * batch's outcomes are written as soon as SES has answered all of it. The
 * slice ends with every outcome written.
 */
export async function runSendLane(deps: Deps, campaignId: string, signal?: AbortSignal): Promise<LaneNext> {
  const [campaign] = await deps.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (campaign?.status !== 'sending') return DONE;
  const channel = await loadSendingChannel(deps, campaign.tenantId);
  if (!channel) {
    deps.logger.warn({ tenantId: campaign.tenantId, campaignId }, 'SES not connected: tenant campaigns paused');
    await pauseTenantSending(deps.sql, campaign.tenantId, 'Amazon SES is not connected. Connect it in Settings → Channels, then resume.');
    return DONE;
  }
  if (channel.sendingPausedUntil && channel.sendingPausedUntil > deps.now()) return { next: 'later', runAt: channel.sendingPausedUntil };
  await recoverStaleClaims(deps, campaignId);

  const sender = await campaignSender(deps, campaign, channel);
  const halt: LaneHalt = { accountWide: null };
  const recording = createOutcomeRecorder(deps, campaignId);
  const deadline = performance.now() + sliceMs(deps.env.sendLeaseMs);
  try {
    while (performance.now() < deadline && !signal?.aborted && !halt.accountWide && !recording.failed()) {
      if (recording.inFlight() >= MAX_BATCHES_IN_FLIGHT) {
        await recording.oneSettled();
        continue;
      }
      const claimToken = randomUUID();
      const { claimed, skipped } = await claimMessages(deps.sql, {
        campaignId,
        count: batchSize(channel.ratePerSec),
        claimToken,
        leaseMs: deps.env.sendLeaseMs,
      }).catch(async (err: unknown) => {
        if (isDatabaseUnavailable(err) && (await releaseUnansweredClaim(deps.sql, claimToken)) > 0) await reopenIfRequeued(deps.sql, campaignId);
        throw err;
      });
      if (claimed.length === 0) {
        if (skipped > 0) continue;
        // Whether the campaign is done can only be told once every outcome of this lane is written.
        await recording.allSettled();
        if (recording.failed() || halt.accountWide) break;
        return await whenNothingToClaim(deps, campaignId);
      }
      const { finished, claimNextAt } = await sendBatch(deps, { sender, channel, claimed, claimToken, signal, halt });
      recording.add(claimToken, finished);
      // Claiming while the rate is spoken for hands every claimed message straight back: a lane did that
      // in a loop, ~13 claims and hand-backs per email sent, at 3 tenants on 3 worker processes (bench/scale-out).
      if (claimNextAt !== null) await sleepUntil(Math.min(claimNextAt, deadline), signal);
    }
  } finally {
    await recording.allSettled();
  }
  recording.throwIfFailed();
  if (halt.accountWide) return await stopForAccountWide(deps, { tenantId: campaign.tenantId, campaignId }, halt.accountWide);
  return CONTINUE;
}

/** Sleeps until `at` (performance.now() scale), or until the slice is aborted. */
async function sleepUntil(at: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, { signal }).catch((err: unknown) => {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  });
}

/**
 * Writes each batch's outcomes once SES has answered it, while the lane goes on. A failed write
 * (the database gone for longer than recordOutcomes waits) stops the lane's claiming and fails its
 * job once the other batches are written; the messages stay claimed, and recovery settles them.
 */
function createOutcomeRecorder(deps: Deps, campaignId: string) {
  const pending = new Set<Promise<void>>();
  let failure: { err: unknown } | null = null;
  return {
    add(claimToken: string, finished: Promise<Outcome[]>) {
      const written: Promise<void> = finished
        .then(async (outcomes) => {
          await recordOutcomes(deps.sql, claimToken, outcomes);
          if (outcomes.some((o) => o.status === 'queued')) await reopenIfRequeued(deps.sql, campaignId);
        })
        .catch((err: unknown) => {
          failure ??= { err };
        })
        .finally(() => pending.delete(written));
      pending.add(written);
    },
    inFlight: () => pending.size,
    failed: () => failure !== null,
    oneSettled: () => Promise.race(pending),
    allSettled: async () => void (await Promise.all(pending)),
    throwIfFailed() {
      if (failure) throw failure.err;
    },
  };
}

/** Finished, paused, waiting for retries or for the fan-out, or only momentarily out of claimable rows. */
async function whenNothingToClaim(deps: Deps, campaignId: string): Promise<LaneNext> {
  const [state] = await deps.sql<{ status: string; fannedOut: boolean; dueInMs: number | null }[]>`
    select c.status, c.fanned_out_at is not null as "fannedOut",
      (select extract(epoch from min(coalesce(m.next_attempt_at, now())) - now())::float8 * 1000
       from messages m where m.campaign_id = c.id and m.status = 'queued') as "dueInMs"
    from campaigns c where c.id = ${campaignId}`;
  if (state?.status !== 'sending') return DONE;
  if (state.dueInMs !== null) {
    // Due rows another lane had locked for a moment: look again shortly instead of spinning.
    return { next: 'later', runAt: new Date(deps.now().getTime() + Math.max(100, state.dueInMs)) };
  }
  if (!state.fannedOut) return { next: 'later', runAt: new Date(deps.now().getTime() + 500) };
  await finishIfDone(deps.sql, campaignId);
  return DONE;
}
