import { toIso } from '../db/times.js';
import type { Deps } from '../deps.js';
import { finishIfDone } from './campaignState.js';
import { enqueueFanOut, enqueueLane, fanOutJobKey, laneCount, laneJobKey } from './lanes.js';
import { loadSendingChannel } from './sendingChannel.js';
import { enqueueStart, startJobKey } from './startJob.js';

const LOST_OUTCOME =
  'The worker sending this message stopped before Herald learned whether SES accepted it. It is not sent again automatically; the SES Send event settles it.';

/**
 * Claims whose lease ran out belong to a worker that died (or stalled for
 * longer than any send may take): SES may have accepted those messages, so
 * they become `unknown`, never queued again. The claim token stays, so a
 * stalled sender that does come back can still record what it learned.
 */
export async function recoverStaleClaims(deps: Deps, campaignId?: string): Promise<number> {
  const rows = await deps.sql<{ campaignId: string; tenantId: string }[]>`
    update messages set status = 'unknown', last_error = ${LOST_OUTCOME}, lease_until = null, updated_at = now()
    where status = 'sending' and lease_until < now()
      ${campaignId ? deps.sql`and campaign_id = ${campaignId}` : deps.sql``}
    returning campaign_id as "campaignId", tenant_id as "tenantId"`;
  const campaigns = new Map<string, { tenantId: string; messages: number }>();
  for (const r of rows) {
    const entry = campaigns.get(r.campaignId) ?? { tenantId: r.tenantId, messages: 0 };
    entry.messages += 1;
    campaigns.set(r.campaignId, entry);
  }
  for (const [id, { tenantId, messages }] of campaigns) {
    deps.logger.warn({ tenantId, campaignId: id, messages }, 'send claims of a dead worker marked unknown');
    await finishIfDone(deps.sql, id);
  }
  return rows.length;
}

/**
 * graphile-worker keeps a job whose worker died locked for 4 hours. A send
 * or fan-out job locked for longer than the send lease (slices are a
 * fraction of it) is taken for dead, and a fresh job with the same key is
 * added: graphile-worker then strips the key from the dead one and retires it.
 */
export async function reviveSendJobs(deps: Deps): Promise<number> {
  const sending = await deps.sql<{ id: string; tenantId: string; fannedOut: boolean }[]>`
    select id, tenant_id as "tenantId", fanned_out_at is not null as "fannedOut" from campaigns where status = 'sending'`;
  let revived = 0;
  for (const campaign of sending) {
    const channel = await loadSendingChannel(deps, campaign.tenantId);
    const lanes = laneCount(channel?.ratePerSec ?? 1, deps.env.workerConcurrency);
    const wanted = [
      ...(campaign.fannedOut ? [] : [{ key: fanOutJobKey(campaign.id), add: () => enqueueFanOut(deps.sql, campaign.id) }]),
      ...Array.from({ length: lanes }, (_, lane) => ({ key: laneJobKey(campaign.id, lane), add: () => enqueueLane(deps.sql, campaign.id, lane) })),
    ];
    const alive = await liveJobKeys(deps, wanted.map((w) => w.key));
    for (const job of wanted.filter((w) => !alive.has(w.key))) {
      await job.add();
      revived += 1;
    }
  }
  if (revived > 0) deps.logger.warn({ jobs: revived }, 'send jobs restarted after their worker stopped');
  return revived;
}

/**
 * A scheduled campaign whose time has come must have a live start job: one
 * whose worker died mid-start stays locked for 4 hours, so it is replaced like
 * a dead send job. The start itself decides under the row lock, so a
 * replaced job that does run after all finds the campaign started and stops.
 */
export async function reviveStartJobs(deps: Deps): Promise<number> {
  const due = await deps.sql<{ id: string; scheduledAt: Date | string }[]>`
    select id, scheduled_at as "scheduledAt" from campaigns where status = 'scheduled' and scheduled_at <= now()`;
  if (due.length === 0) return 0;
  const alive = await liveJobKeys(deps, due.map((c) => startJobKey(c.id)));
  const dead = due.filter((c) => !alive.has(startJobKey(c.id)));
  for (const campaign of dead) await enqueueStart(deps.sql, campaign.id, new Date(toIso(campaign.scheduledAt)));
  if (dead.length > 0) deps.logger.warn({ jobs: dead.length }, 'scheduled campaign starts restarted after their worker stopped');
  return dead.length;
}

/** Keys with a job that is waiting, or running and locked recently enough to be alive. */
async function liveJobKeys(deps: Deps, keys: string[]): Promise<Set<string>> {
  const rows = await deps.sql<{ key: string }[]>`
    select key from graphile_worker.jobs
    where key = any(${keys}::text[]) and attempts < max_attempts
      and (locked_at is null or locked_at > now() - make_interval(secs => ${deps.env.sendLeaseMs / 1000}))`;
  return new Set(rows.map((r) => r.key));
}

/** One recovery pass; every worker process runs it now and then (sending/recoveryLoop.ts). */
export async function recoverSending(deps: Deps): Promise<void> {
  await recoverStaleClaims(deps);
  await reviveSendJobs(deps);
  await reviveStartJobs(deps);
}
