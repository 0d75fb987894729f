import type { TransactionSql } from 'postgres';
import { segmentMatch } from '../services/segments/audience.js';
import { loadSegmentDefinition } from '../services/segments/load.js';

/**
 * One fan-out chunk of a segment audience: the next `size` matching contacts
 * after the cursor in contact-id order, each made a `messages` row exactly as
 * for a list (suppressed with the reason when the contact cannot receive).
 * The segment is read in the chunk's own transaction, so the campaign goes to
 * whoever matches when each chunk runs, and matching stays set-based.
 */
export async function fanOutSegmentChunk(
  tx: TransactionSql,
  chunk: { campaignId: string; tenantId: string; segmentId: string; cursor: string | null; size: number },
): Promise<{ last: string | null; members: number }> {
  const segment = await loadSegmentDefinition({ sql: tx }, chunk.tenantId, chunk.segmentId);
  const [row] = await tx<{ last: string | null; members: number }[]>`
    with members as (
      select ct.id, ct.email, ct.status from contacts ct
      where ${segmentMatch(tx, chunk.tenantId, segment)}
        and ct.id > coalesce(${chunk.cursor}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
      order by ct.id
      limit ${chunk.size}
    ),
    made as (
      insert into messages (tenant_id, campaign_id, contact_id, to_address, status, suppression_reason)
      select ${chunk.tenantId}, ${chunk.campaignId}, ct.id, ct.email,
        case when ct.status <> 'subscribed' or s.reason is not null then 'suppressed'::message_status else 'queued'::message_status end,
        case when ct.status <> 'subscribed' then ct.status::text when s.reason is not null then 'suppressed: ' || s.reason::text end
      from members ct
      left join suppressions s on s.tenant_id = ${chunk.tenantId} and s.email = ct.email
      on conflict (campaign_id, contact_id) do nothing
    )
    select max(id::text) as last, count(*)::int as members from members`;
  return row ?? { last: null, members: 0 };
}
