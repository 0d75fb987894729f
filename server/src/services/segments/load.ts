import type { Sql, TransactionSql } from 'postgres';
import type { Deps } from '../../deps.js';
import type { SegmentDefinition } from './audience.js';
import { segmentNotFound, storedConditions } from './records.js';

/** The tenant's segment as the audience readers need it; NOT_FOUND otherwise. */
export async function loadSegmentDefinition(deps: Deps | { sql: Sql | TransactionSql }, tenantId: string, id: string): Promise<SegmentDefinition> {
  const [row] = await deps.sql<{ listId: string | null; conditions: unknown }[]>`
    select list_id as "listId", conditions from segments where id = ${id} and tenant_id = ${tenantId}`;
  if (!row) throw segmentNotFound();
  return { listId: row.listId, conditions: storedConditions(row.conditions) };
}
