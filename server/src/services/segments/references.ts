import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import type { Condition, SegmentConditions } from './conditions.js';
import type { SegmentDefinition } from './audience.js';

type Reference = { kind: 'list' | 'campaign'; id: string; field: string; label: string };

/** Each condition with its input path (for field errors; the tree is the input's `conditions`) and the name people see ("Condition 2.1"). */
function eachCondition(tree: SegmentConditions): { condition: Condition; path: string; label: string }[] {
  return tree.conditions.flatMap((entry, i) =>
    'conditions' in entry
      ? entry.conditions.map((condition, j) => ({ condition, path: `conditions.conditions.${i}.conditions.${j}`, label: `Condition ${i + 1}.${j + 1}` }))
      : [{ condition: entry, path: `conditions.conditions.${i}`, label: `Condition ${i + 1}` }],
  );
}

function referencesOf(tree: SegmentConditions): Reference[] {
  return eachCondition(tree).flatMap(({ condition: c, path, label }): Reference[] => {
    if (c.field === 'list') return [{ kind: 'list', id: c.listId, field: `${path}.listId`, label }];
    if (c.field === 'engagement' && c.campaignId) return [{ kind: 'campaign', id: c.campaignId, field: `${path}.campaignId`, label }];
    return [];
  });
}

/**
 * Every list and campaign a segment names must be the tenant's: another
 * tenant's id is refused exactly like an unknown one, so ids reveal nothing.
 * (The compiled SQL also filters by tenant, so a forged tree could not read
 * across tenants anyway.)
 */
export async function assertOwnReferences(deps: Deps, tenantId: string, segment: SegmentDefinition): Promise<void> {
  if (segment.listId) {
    const [own] = await deps.sql`select 1 from lists where id = ${segment.listId} and tenant_id = ${tenantId}`;
    if (!own) throw new AppError('NOT_FOUND', 'No list with this id: choose one of your lists as the base.', { fieldErrors: { listId: 'No list with this id.' } });
  }
  const refs = referencesOf(segment.conditions);
  if (refs.length === 0) return;
  const listIds = refs.filter((r) => r.kind === 'list').map((r) => r.id);
  const campaignIds = refs.filter((r) => r.kind === 'campaign').map((r) => r.id);
  const found = await deps.sql<{ id: string }[]>`
    select id from lists where tenant_id = ${tenantId} and id = any(${listIds}::uuid[])
    union all
    select id from campaigns where tenant_id = ${tenantId} and id = any(${campaignIds}::uuid[])`;
  const known = new Set(found.map((r) => r.id));
  const missing = refs.filter((r) => !known.has(r.id));
  const first = missing[0];
  if (!first) return;
  throw new AppError('BAD_REQUEST', `${first.label}: no ${first.kind} with this id.`, {
    fieldErrors: Object.fromEntries(missing.map((r) => [r.field, `No ${r.kind} with this id.`])),
  });
}
