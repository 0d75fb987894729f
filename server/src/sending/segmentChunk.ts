import type { TransactionSql } from 'postgres';
import { segmentMatch } from '../services/segments/audience.js';
import { loadSegmentDefinition } from '../services/segments/load.js';
import { makeMessages } from './makeMessages.js';

/**
 * One fan-out chunk of a segment audience: the next `size` matching contacts
 * after the cursor in email order (along the unique (tenant_id, email)
 * index; the cursor is the last chunk's last email), each made a `messages`
 * row exactly as for a list (sending/makeMessages.ts).
 * The segment is read in the chunk's own transaction, so the campaign goes to
 * whoever matches when each chunk runs, and matching stays set-based.
 */
export async function fanOutSegmentChunk(
  tx: TransactionSql,
  chunk: { campaignId: string; tenantId: string; segmentId: string; cursor: string | null; size: number },
): Promise<{ last: string | null; members: number }> {
  const segment = await loadSegmentDefinition({ sql: tx }, chunk.tenantId, chunk.segmentId);
  // A cursor without an @ is a contact id, left by a version that walked segments in id order (before
  // migration 0025): the chunk starts again from the first email, and rows made before are skipped.
  const after = chunk.cursor?.includes('@') ? chunk.cursor : '';
  return makeMessages(tx, chunk, (sql) => sql`
    select ct.id, ct.email, ct.status, ct.email as key from contacts ct
    where ${segmentMatch(sql, chunk.tenantId, segment)}
      and ct.email > ${after}
    order by ct.email
    limit ${chunk.size}`);
}
