import { holdContactsForFanOut } from '../db/tenantContactsLock.js';
import type { Deps } from '../deps.js';
import { enqueueLanes, laneCount } from './lanes.js';
import { fanOutSegmentChunk } from './segmentChunk.js';
import { loadSendingChannel } from './sendingChannel.js';

/** List members per transaction: big enough to be fast, small enough that a crash loses little work. */
export const FAN_OUT_CHUNK = 50_000;
/** Like a send lane, a fan-out job runs in slices shorter than the lease and continues in a new job. */
const fanOutSliceMs = (leaseMs: number) => Math.min(10_000, leaseMs / 4);

type CampaignForFanOut = { status: string; tenantId: string; listId: string | null; segmentId: string | null; cursor: string | null; fannedOut: boolean };

/**
 * Materializes one `messages` row per list member (or segment match,
 * sending/segmentChunk.ts), in set-based chunks in contact-id order, never
 * holding the audience in memory. Contacts who unsubscribed, bounced or
 * complained, and suppressed addresses, get a `suppressed` row with the
 * reason, so the recipient count adds up. Re-running is harmless: the cursor says where to resume, and the
 * unique (campaign_id, contact_id) index ignores rows already made. The
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
      const [chunk] = c.listId
        ? await tx<{ last: string | null; members: number }[]>`
            with members as (
              select lm.contact_id from list_members lm
              where lm.list_id = ${c.listId} and lm.tenant_id = ${c.tenantId}
                and lm.contact_id > coalesce(${c.cursor}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
              order by lm.contact_id
              limit ${FAN_OUT_CHUNK}
            ),
            made as (
              insert into messages (tenant_id, campaign_id, contact_id, to_address, status, suppression_reason)
              select ${c.tenantId}, ${campaignId}, ct.id, ct.email,
                case when ct.status <> 'subscribed' or s.reason is not null then 'suppressed'::message_status else 'queued'::message_status end,
                case when ct.status <> 'subscribed' then ct.status::text when s.reason is not null then 'suppressed: ' || s.reason::text end
              from members mb
              join contacts ct on ct.id = mb.contact_id and ct.tenant_id = ${c.tenantId}
              left join suppressions s on s.tenant_id = ${c.tenantId} and s.email = ct.email
              on conflict (campaign_id, contact_id) do nothing
            )
            select max(contact_id::text) as last, count(*)::int as members from members`
        : c.segmentId
          ? [await fanOutSegmentChunk(tx, { campaignId, tenantId: c.tenantId, segmentId: c.segmentId, cursor: c.cursor, size: FAN_OUT_CHUNK })]
          : [{ last: null, members: 0 }];
      const done = !chunk || chunk.members < FAN_OUT_CHUNK;
      await tx`
        update campaigns set fan_out_cursor = coalesce(${chunk?.last ?? null}::uuid, fan_out_cursor),
          fanned_out_at = ${done ? tx`now()` : tx`null`}, updated_at = now()
        where id = ${campaignId}`;
      return done;
    });
    if (finished) return 'done';
  }
  return 'continue';
}
