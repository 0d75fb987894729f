import { holdContactsForFanOut } from '../db/tenantContactsLock.js';
import type { Deps } from '../deps.js';
import { enqueueLanes, laneCount } from './lanes.js';
import { fanOutSegmentChunk } from './segmentChunk.js';
import { loadSendingChannel } from './sendingChannel.js';
import { makeMessages } from './makeMessages.js';

/** List members per transaction: big enough to be fast, small enough that a crash loses little work. */
export const FAN_OUT_CHUNK = 50_000;
/** Like a send lane, a fan-out job runs in slices shorter than the lease and continues in a new job. */
const fanOutSliceMs = (leaseMs: number) => Math.min(10_000, leaseMs / 4);

type CampaignForFanOut = { status: string; tenantId: string; listId: string | null; segmentId: string | null; cursor: string | null; fannedOut: boolean };

/**
 * Materializes one `messages` row per list member (in contact-id order) or
 * segment match (in email order, sending/segmentChunk.ts), in set-based chunks, never
 * holding the audience in memory (sending/makeMessages.ts). Re-running is
 * harmless: each chunk commits with the cursor that says where to resume. The
 * first chunk enqueues the send lanes in its own transaction, so sending
 * starts while the rest of a large audience is still being materialized.
 */
export async function runFanOut(deps: Deps, campaignId: string, signal?: AbortSignal): Promise<'done' | 'continue'> {
  const deadline = performance.now() + fanOutSliceMs(deps.env.sendLeaseMs);
  let lanes: number | null = null;
  while (performance.now() < deadline && !signal?.aborted) {
    const finished = await deps.sql.begin(async (tx) => {
      // FOR SHARE: a cancel waits for this chunk, then sees (and cancels) its rows.
      const [c] = await tx<CampaignForFanOut[]>`
        select status, tenant_id as "tenantId", list_id as "listId", segment_id as "segmentId", fan_out_cursor as cursor, fanned_out_at is not null as "fannedOut"
        from campaigns where id = ${campaignId} for share`;
      if (!c || c.fannedOut || (c.status !== 'sending' && c.status !== 'paused')) return true;
      await holdContactsForFanOut(tx, c.tenantId);
      if (c.cursor === null) {
        lanes ??= laneCount((await loadSendingChannel(deps, c.tenantId))?.ratePerSec ?? 1, deps.env.workerConcurrency);
        await enqueueLanes(tx, campaignId, lanes);
      }
      const chunk = c.listId
        ? await makeMessages(tx, { tenantId: c.tenantId, campaignId }, (sql) => sql`
            select ct.id, ct.email, ct.status, ct.id::text as key from (
              select lm.contact_id from list_members lm
              where lm.list_id = ${c.listId} and lm.tenant_id = ${c.tenantId}
                and lm.contact_id > coalesce(${c.cursor}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
              order by lm.contact_id
              limit ${FAN_OUT_CHUNK}
            ) mb
            join contacts ct on ct.id = mb.contact_id and ct.tenant_id = ${c.tenantId}`)
        : c.segmentId
          ? await fanOutSegmentChunk(tx, { campaignId, tenantId: c.tenantId, segmentId: c.segmentId, cursor: c.cursor, size: FAN_OUT_CHUNK })
          : { last: null, members: 0 };
      const done = chunk.members < FAN_OUT_CHUNK;
      await tx`
        update campaigns set fan_out_cursor = coalesce(${chunk.last}::text, fan_out_cursor),
          fanned_out_at = ${done ? tx`now()` : tx`null`}, updated_at = now()
        where id = ${campaignId}`;
      return done;
    });
    if (finished) return 'done';
  }
  return 'continue';
}
