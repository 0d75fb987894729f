import type { PendingQuery, Row, TransactionSql } from 'postgres';
import { isUniqueViolation } from '../db/pgErrors.js';

type Chunk = { tenantId: string; campaignId: string };
type Made = { last: string | null; members: number };

/**
 * Makes one `messages` row per contact of a fan-out chunk: `audience` is a
 * query of the chunk's (id, email, status, key) contacts, `key` being what
 * the chunk's keyset runs on (the largest is the next chunk's cursor). A contact who
 * unsubscribed, bounced or complained, or whose address is suppressed, gets a
 * `suppressed` row with the reason, so the recipient count adds up.
 *
 * The insert is a plain INSERT: a chunk commits with the campaign's cursor,
 * so a chunk never meets rows it made before, and `ON CONFLICT` would cost a
 * speculative insertion on every row. Should a second job run the same chunk
 * at once (a job re-run while the first still holds its transaction), its
 * insert waits for the first on the unique (campaign_id, contact_id) index and
 * fails; the chunk is then redone skipping the rows that exist.
 */
export async function makeMessages(tx: TransactionSql, chunk: Chunk, audience: (sql: TransactionSql) => PendingQuery<Row[]>): Promise<Made> {
  try {
    return await tx.savepoint((sp) => insertChunk(sp, chunk, audience(sp), false));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return insertChunk(tx, chunk, audience(tx), true);
  }
}

async function insertChunk(sql: TransactionSql, chunk: Chunk, audience: PendingQuery<Row[]>, skipExisting: boolean): Promise<Made> {
  const [made] = await sql<Made[]>`
    with audience as (${audience}),
    made as (
      insert into messages (tenant_id, campaign_id, contact_id, to_address, status, suppression_reason)
      select ${chunk.tenantId}, ${chunk.campaignId}, ct.id, ct.email,
        case when ct.status <> 'subscribed' or s.reason is not null then 'suppressed'::message_status else 'queued'::message_status end,
        case when ct.status <> 'subscribed' then ct.status::text when s.reason is not null then 'suppressed: ' || s.reason::text end
      from audience ct
      left join suppressions s on s.tenant_id = ${chunk.tenantId} and s.email = ct.email
      ${skipExisting ? sql`on conflict (campaign_id, contact_id) do nothing` : sql``}
    )
    select max(key) as last, count(*)::int as members from audience`;
  return made ?? { last: null, members: 0 };
}
