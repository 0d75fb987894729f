import type { Sql, TransactionSql } from 'postgres';
import { compileConditions, type Fragment } from './compile.js';
import type { SegmentConditions } from './conditions.js';

/** What a segment selects: the contacts of a base list (or all the tenant's contacts) narrowed by conditions. */
export type SegmentDefinition = { listId: string | null; conditions: SegmentConditions };

/**
 * A boolean fragment over `contacts ct`: the contact is the tenant's, on the
 * base list when there is one, and matches the conditions. Every reader of a
 * segment (preview, send check, fan-out) goes through here, so they agree.
 */
export function segmentMatch(sql: Sql | TransactionSql, tenantId: string, segment: SegmentDefinition): Fragment {
  const base = segment.listId
    ? sql`and ct.id in (select lm.contact_id from list_members lm where lm.list_id = ${segment.listId} and lm.tenant_id = ${tenantId})`
    : sql``;
  return sql`ct.tenant_id = ${tenantId} ${base} and ${compileConditions(sql, tenantId, segment.conditions)}`;
}
