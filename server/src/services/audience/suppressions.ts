import { and, eq } from 'drizzle-orm';
import { suppressions } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { normalizeEmail } from '../emailAddress.js';
import { decodeCursor, encodeCursor, likePrefix } from '../keyset.js';

export type SuppressionReason = 'bounce' | 'complaint' | 'unsubscribe' | 'manual';
export type SuppressionView = { id: string; email: string; reason: SuppressionReason; source: string | null; createdAt: string };

const toView = (row: typeof suppressions.$inferSelect): SuppressionView => ({
  id: row.id,
  email: row.email,
  reason: row.reason,
  source: row.source,
  createdAt: row.createdAt.toISOString(),
});

/** Adds an address (idempotent: an address already suppressed keeps its first reason). */
export async function addSuppression(
  deps: Deps,
  tenantId: string,
  input: { email: string; reason: SuppressionReason; source?: string | null | undefined },
): Promise<SuppressionView> {
  const email = normalizeEmail(input.email);
  await deps.db
    .insert(suppressions)
    .values({ tenantId, email, reason: input.reason, source: input.source ?? null })
    .onConflictDoNothing();
  const [row] = await deps.db.select().from(suppressions).where(and(eq(suppressions.tenantId, tenantId), eq(suppressions.email, email)));
  if (!row) throw new Error('suppression vanished after insert');
  return toView(row);
}

export async function removeSuppression(deps: Deps, tenantId: string, id: string): Promise<void> {
  const removed = await deps.db
    .delete(suppressions)
    .where(and(eq(suppressions.id, id), eq(suppressions.tenantId, tenantId)))
    .returning({ email: suppressions.email });
  if (removed.length === 0) throw new AppError('NOT_FOUND', 'No suppression with this id.');
}

/** Keyset pages ordered by email, with an optional email prefix. */
export async function listSuppressions(
  deps: Deps,
  tenantId: string,
  query: { search?: string | undefined; reason?: SuppressionReason | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: SuppressionView[]; nextCursor: string | null; total: number }> {
  const { sql } = deps;
  const after = decodeCursor(query.cursor);
  const prefix = query.search ? likePrefix(normalizeEmail(query.search)) : null;
  const rows = await sql`
    select id, tenant_id, email, reason, source, created_at from suppressions
    where tenant_id = ${tenantId} and email > ${after}
      ${prefix ? sql`and email like ${prefix}` : sql``}
      ${query.reason ? sql`and reason = ${query.reason}` : sql``}
    order by email limit ${query.limit + 1}`;
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from suppressions where tenant_id = ${tenantId}`;
  const items = rows.slice(0, query.limit).map((r) => toView({ id: r.id, tenantId: r.tenant_id, email: r.email, reason: r.reason, source: r.source, createdAt: new Date(r.created_at) }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.email) : null, total: count?.n ?? 0 };
}

/** True when the tenant may not send to this address (suppressed, or the contact opted out or bounced). */
export async function isSuppressed(deps: Deps, tenantId: string, email: string): Promise<boolean> {
  const normalized = normalizeEmail(email);
  const [hit] = await deps.sql`
    select 1 from suppressions where tenant_id = ${tenantId} and email = ${normalized}
    union all
    select 1 from contacts where tenant_id = ${tenantId} and email = ${normalized} and status <> 'subscribed'
    limit 1`;
  return hit !== undefined;
}

