import type { TransactionSql } from 'postgres';
import { segmentMatch } from '../services/segments/audience.js';
import { loadSegmentDefinition } from '../services/segments/load.js';
import { makeMessages } from './makeMessages.js';

/**
 * One fan-out chunk of a segment audience: the next `size` matching contacts
 * after the cursor in contact-id order, each made a `messages` row exactly as
 * for a list (sending/makeMessages.ts).
 * The segment is read in the chunk's own transaction, so the campaign goes to
 * whoever matches when each chunk runs, and matching stays set-based.
 */
export async function fanOutSegmentChunk(
  tx: TransactionSql,
  chunk: { campaignId: string; tenantId: string; segmentId: string; cursor: string | null; size: number },
): Promise<{ last: string | null; members: number }> {
  const segment = await loadSegmentDefinition({ sql: tx }, chunk.tenantId, chunk.segmentId);
  return makeMessages(tx, chunk, (sql) => sql`
    select ct.id, ct.email, ct.status from contacts ct
    where ${segmentMatch(sql, chunk.tenantId, segment)}
      and ct.id > coalesce(${chunk.cursor}::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
    order by ct.id
    limit ${chunk.size}`);
}
