import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';

/**
 * Why the tenant's sending is paused right now, or null: SES's daily quota
 * is spent (sending_paused_until) or the reputation guard paused it. Both
 * hold transactional emails as they hold campaigns.
 */
export async function sendingHold(sql: Sql | TransactionSql, tenantId: string): Promise<Hold | null> {
  const [row] = await sql<HoldFacts[]>`select ${holdColumns(sql, sql`${tenantId}::uuid`)} from tenant_channel_settings c where c.tenant_id = ${tenantId} and c.channel = 'email'`;
  return holdOf(row);
}

export type Hold = { reason: string; until: Date | null };
export type HoldFacts = { quotaUntil: string | null; quotaReason: string | null; guard: string | null };

/**
 * The columns holdOf reads, over `tenant_channel_settings c`, for the tenant
 * that `tenant` names (a parameter, or a column of the caller's query), so
 * other queries can carry them along.
 */
export function holdColumns(sql: Sql | TransactionSql, tenant: PendingQuery<Row[]>) {
  return sql`
    case when c.sending_paused_until > now() then c.sending_paused_until end as "quotaUntil",
    c.sending_paused_reason as "quotaReason",
    (select r.state::text from tenant_reputation r where r.tenant_id = ${tenant}) as guard`;
}

export function holdOf(row: HoldFacts | undefined): Hold | null {
  if (row?.guard === 'paused') {
    return { reason: 'Sending is paused by the reputation guard (bounce or complaint rate too high). An owner can resume it in Herald.', until: null };
  }
  if (row?.quotaUntil) return { reason: row.quotaReason ?? 'The SES daily sending quota is spent.', until: new Date(row.quotaUntil) };
  return null;
}
