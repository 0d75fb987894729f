import { logFailure } from '../db/outageReporter.js';
import type { Deps } from '../deps.js';
import { createSendTally, type SendOutcome } from '../metrics/sendMetrics.js';
import { MissedDeparture } from '../ses/departure.js';
import type { SendResult } from '../ses/sendRawEmail.js';
import type { CampaignSender } from './campaignSender.js';
import { pauseTenantSending, pauseTenantUntil } from './campaignState.js';
import { recordOutcomes, type ClaimedMessage, type Outcome } from './claims.js';
import { reserveSendSlots, sendInterval, type SendSlot } from './rateLimiter.js';
import type { SendFailure } from '../ses/sendError.js';
import { MAX_SEND_ATTEMPTS, retryDelayMs } from './retries.js';
import type { SendingChannel } from './sendingChannel.js';
import type { LaneNext } from './lanes.js';
import { setOutWindow, waitForSlot } from './waitForSlot.js';

/**
 * How far ahead a batch may take slots: 250 ms, or two sends at a slow rate
 * (0.5/s), whichever is longer. Later slots are released and the lane waits
 * its turn. It is also how much of the tenant's rate a campaign can hold
 * ahead: a transactional email reserving now gets a slot at most this far
 * away, which keeps it ahead of the campaign (transactionalSend.ts).
 */
export const slotWindowMs = (ratePerSec: number) => Math.max(250, 2 * sendInterval(ratePerSec));

/** SES's answer to "daily quota exceeded" is to wait; AWS suggests up to 10 minutes before trying again. */
const QUOTA_PAUSE_MS = 10 * 60_000;
/** SES throttled us although the limiter spaced the sends (another sender on the account?): back off a little. */
const THROTTLE_RETRY_MS = 1_000;

/**
 * Rounds of reservations for missed slots before the rest goes back to the queue. A process whose
 * CPU is saturated answers its own reservation later than the 10 ms a slot allows, so at full speed
 * nearly every batch misses its first round and some miss ten (bench/send.ts ceiling); giving up
 * after a few rounds sent those batches through another claim and release instead.
 */
const MAX_SLOT_ROUNDS = 20;

/** The longest stretch of building before the batch lets due timers run (see sendBatch). */
const BUILD_SLICE_MS = 2;

/** How long before a batch's last slot the lane goes on to claim and build the next batch. */
const NEXT_BATCH_LEAD_MS = 100;

type Ready = { message: ClaimedMessage; raw: Buffer };
/**
 * What a lane's batches in flight share: the first account-wide answer from SES (quota spent, account
 * paused) stops every send of the lane not yet started, in this batch and in the ones after it.
 */
export type LaneHalt = { accountWide: SendFailure | null };
type BatchInput = { sender: CampaignSender; channel: SendingChannel; claimed: ClaimedMessage[]; claimToken: string; signal: AbortSignal | undefined; halt: LaneHalt };
/**
 * A batch whose sends have all started (or were handed back): `finished` has every claimed message's
 * outcome once SES answered. `claimNextAt` (performance.now() scale) is set when the tenant's rate had no
 * slot for part of the batch: other batches, lanes or processes hold it until then, so a claim before it
 * would only be handed back too.
 */
export type DispatchedBatch = { finished: Promise<Outcome[]>; claimNextAt: number | null };

const release = (id: string, retryInMs = 0): Outcome => ({ id, status: 'queued', attemptSpent: false, retryInMs, error: null });

/**
 * Sends one claimed batch: build every message first (so CPU work never
 * eats into a slot), reserve one rate slot per message, then send each at
 * its slot, all concurrently. The messages whose slots were missed take new
 * ones together, in one reservation per round. Once SES says something
 * account-wide (quota spent, account paused), sends not yet started are
 * released untouched.
 *
 * Resolves shortly before the last slot, not when SES has answered: the
 * lane claims its next batch meanwhile, so SES's latency does not slow the
 * tenant's rate (a lane waiting for each batch's slowest answer sent at a
 * fraction of the rate once SES took a few hundred milliseconds).
 */
export async function sendBatch(deps: Deps, { sender, channel, claimed, claimToken, signal, halt }: BatchInput): Promise<DispatchedBatch> {
  const metrics = deps.metrics.sends;
  const tally = createSendTally();
  const ids = { tenantId: sender.tenantId, campaignId: sender.campaignId };
  const outcomes: Outcome[] = [];
  const ready: Ready[] = [];
  let yieldedAt = performance.now();
  for (const message of claimed) {
    // Fifty builds take tens of milliseconds of CPU; other batches of this process have slots due
    // meanwhile, and a timer that fires late misses its slot. Their timers run between builds.
    if (performance.now() - yieldedAt > BUILD_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      yieldedAt = performance.now();
    }
    try {
      ready.push({ message, raw: sender.build(message) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      outcomes.push({ id: message.id, status: 'failed', attemptSpent: false, error: `The email could not be built for this recipient: ${reason}` });
      tally.add('failed', 'render');
      deps.logger.warn({ ...ids, messageId: message.id, errorClass: 'render' }, 'campaign email could not be built');
    }
  }
  if (ready.length === 0) {
    tally.record(metrics, 'campaign', sender.tenantId);
    return { finished: Promise.resolve(outcomes), claimNextAt: null };
  }

  const rate = { tenantId: channel.tenantId, ratePerSec: channel.ratePerSec, maxWaitMs: slotWindowMs(channel.ratePerSec) };
  const outcomeOfSend = (message: ClaimedMessage, result: SendResult): Outcome => {
    if (!result.ok && (result.failure.kind === 'quota' || result.failure.kind === 'account')) halt.accountWide ??= result.failure;
    const outcome = outcomeOf(message, result);
    tally.add(OUTCOME_OF[outcome.status], result.ok ? 'none' : result.failure.kind);
    // One line per message that will not be sent (retries are in the batch line below); SES's text is in messages.last_error.
    if (!result.ok && (outcome.status === 'failed' || outcome.status === 'unknown')) {
      deps.logger.warn({ ...ids, messageId: message.id, errorClass: result.failure.kind, code: result.failure.code, status: outcome.status }, 'campaign send failed');
    }
    return outcome;
  };
  /** Starts one send for its slot; `departed` is false when its request could not leave within it (it takes a new slot). */
  const start = ({ message, raw }: Ready, slot: SendSlot): { departed: Promise<boolean>; outcome: Promise<Outcome> } => {
    if (signal?.aborted || halt.accountWide) return { departed: Promise.resolve(true), outcome: Promise.resolve(release(message.id)) };
    let depart: (left: boolean) => void = () => {};
    const departed = new Promise<boolean>((resolve) => (depart = resolve));
    const outcome = sender.send(message, raw, { by: slot.notAfter, notBefore: slot.notBefore, departed: depart }).then((result) => outcomeOfSend(message, result));
    // The check has answered by the time the call settles, except for a call that failed before reaching it.
    // Only a MissedDeparture proves nothing left; any other failure counts as sent, and fails the batch.
    void outcome.then(
      () => depart(true),
      (err: unknown) => depart(!(err instanceof MissedDeparture)),
    );
    return { departed, outcome };
  };
  const sends: Promise<Outcome>[] = [];
  // The lane claims its next batch a little before this one's last slot, so its reservation follows on
  // from this one instead of starting after a gap (a claim and fifty builds take tens of milliseconds).
  let dispatch = () => {};
  const dispatched = new Promise<void>((resolve) => (dispatch = resolve));
  // Messages the rate has no slot for yet go back to the queue at once, not with the batch's outcomes:
  // a worker killed before those are written would leave them `unknown` though SES never saw them.
  const handingBack: Promise<void>[] = [];
  let claimNextAt: number | null = null;
  const handBack = (deferred: Outcome[]) =>
    recordOutcomes(deps.sql, claimToken, deferred).catch((err: unknown) => {
      logFailure(deps, 'worker', err, 'handing back messages without a slot failed: they are written with the batch', { tenantId: channel.tenantId });
      outcomes.push(...deferred);
    });
  const sendAll = async (): Promise<Outcome[]> => {
    // Each round reserves slots for every message still waiting in one statement; a send whose slot was
    // missed waits for the next round, which starts once every slot of this one is due (at most slotWindowMs).
    let waiting = ready;
    for (let round = 0; waiting.length > 0; round += 1) {
      if (signal?.aborted || halt.accountWide || round >= MAX_SLOT_ROUNDS) {
        outcomes.push(...waiting.map(({ message }) => release(message.id)));
        break;
      }
      // A reservation that fails (the database went away mid-batch) must not lose what earlier rounds
      // sent: the rest goes back to the queue untouched and the outcomes are recorded once it is back.
      const reserved = await reserveSendSlots({ sql: deps.sql, clock: deps.dbClock }, { ...rate, count: waiting.length }).catch((err: unknown) => {
        logFailure(deps, 'worker', err, 'reserving send slots failed: the rest of the batch goes back to the queue', { tenantId: channel.tenantId });
        return null;
      });
      if (!reserved) {
        outcomes.push(...waiting.map(({ message }) => release(message.id)));
        break;
      }
      const { slots, nextFreeInMs } = reserved;
      const deferred = waiting.slice(slots.length).map(({ message }) => release(message.id, nextFreeInMs));
      if (deferred.length > 0) handingBack.push(handBack(deferred));
      if (round === 0 && deferred.length > 0) claimNextAt = performance.now() + nextFreeInMs - NEXT_BATCH_LEAD_MS;
      metrics.slots('campaign', 'granted', slots.length);
      metrics.slots('campaign', 'deferred', waiting.length - slots.length);
      metrics.waited('campaign', slots.reduce((sum, slot) => sum + Math.max(0, slot.waitMs), 0) / 1000);
      const slotted = waiting.slice(0, slots.length);
      const last = slots.at(-1);
      if (round === 0 && last) setTimeout(dispatch, Math.max(0, last.notBefore - performance.now() - NEXT_BATCH_LEAD_MS));
      // No abort signal for the sleeps (at most slotWindowMs): fifty sends would put fifty listeners on it.
      const onTime = await Promise.all(
        slotted.map(async (item, i) => {
          // Sets out a little ahead and waits at the door (ses/departure.ts); checked before the call and
          // again where the request leaves, which gives sends due together the time the ones ahead take.
          const slot = slots[i] as SendSlot;
          if (!(await waitForSlot(setOutWindow(slot)))) return false;
          const { departed, outcome } = start(item, slot);
          if (!(await departed)) return false;
          sends.push(outcome);
          return true;
        }),
      );
      waiting = slotted.filter((_, i) => !onTime[i]);
      metrics.slots('campaign', 'missed', waiting.length);
    }
    dispatch();
    outcomes.push(...(await Promise.all(sends)));
    await Promise.all(handingBack);
    tally.record(metrics, 'campaign', sender.tenantId);
    if (deps.logger.isLevelEnabled('debug')) deps.logger.debug({ ...ids, claimed: claimed.length, ...countByStatus(outcomes) }, 'campaign batch sent');
    return outcomes;
  };
  const finished = sendAll().finally(dispatch);
  await dispatched;
  return { finished, claimNextAt };
}

/** A claimed message's status after the attempt, as herald_sends_total names it. */
const OUTCOME_OF: Record<Outcome['status'], SendOutcome> = { sent: 'sent', queued: 'requeued', failed: 'failed', unknown: 'unknown' };

function countByStatus(outcomes: Outcome[]): Record<Outcome['status'], number> {
  const counts = { sent: 0, queued: 0, failed: 0, unknown: 0 };
  for (const o of outcomes) counts[o.status] += 1;
  return counts;
}

function outcomeOf(message: ClaimedMessage, result: SendResult): Outcome {
  if (result.ok) return { id: message.id, status: 'sent', providerMessageId: result.providerMessageId };
  const { kind, reason } = result.failure;
  switch (kind) {
    case 'throttled':
      return { id: message.id, status: 'queued', attemptSpent: false, retryInMs: THROTTLE_RETRY_MS, error: reason };
    case 'quota':
    case 'account':
      return { id: message.id, status: 'queued', attemptSpent: false, retryInMs: 0, error: reason };
    case 'transient': {
      const attempt = message.attempts + 1;
      if (attempt >= MAX_SEND_ATTEMPTS) return { id: message.id, status: 'failed', attemptSpent: true, error: `${reason} Gave up after ${attempt} attempts.` };
      return { id: message.id, status: 'queued', attemptSpent: true, retryInMs: retryDelayMs(attempt), error: reason };
    }
    case 'permanent':
      return { id: message.id, status: 'failed', attemptSpent: true, error: reason };
    case 'unknown':
      return { id: message.id, status: 'unknown', attemptSpent: true, error: reason };
  }
}

/** After SES's account-wide answer: pause the tenant's sending (until the quota frees up, or until someone resumes). */
export async function stopForAccountWide(deps: Deps, at: { tenantId: string; campaignId: string }, failure: SendFailure): Promise<LaneNext> {
  const { tenantId, campaignId } = at;
  if (failure.kind === 'quota') {
    const until = new Date(deps.now().getTime() + QUOTA_PAUSE_MS);
    await pauseTenantUntil(deps.sql, tenantId, until, `${failure.reason} Sending resumes by itself when it frees up.`);
    deps.logger.warn({ tenantId, campaignId, until }, 'SES daily quota spent: tenant sending paused');
    return { next: 'later', runAt: until };
  }
  await pauseTenantSending(deps.sql, tenantId, failure.reason);
  deps.logger.warn({ tenantId, campaignId, code: failure.code }, 'SES refused the account: tenant campaigns paused');
  return { next: 'done' };
}
