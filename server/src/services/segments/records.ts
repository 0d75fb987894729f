import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../db/pgErrors.js';
import { toIso } from '../../db/times.js';
import { AppError } from '../../errors.js';
import type { SegmentDefinition } from './audience.js';
import { segmentConditionsSchema, type SegmentConditions } from './conditions.js';
import { describeConditions, referencedIds } from './describe.js';
import { assertOwnReferences } from './references.js';

export type SegmentSummary = {
  id: string;
  name: string;
  /** The base list; null means all contacts. */
  listId: string | null;
  listName: string | null;
  /** The conditions in a sentence, e.g. `status is subscribed and opened any campaign in the last 30 days`. */
  description: string;
  createdAt: string;
  updatedAt: string;
};
export type SegmentView = SegmentSummary & { conditions: SegmentConditions };
export type SegmentFields = { name: string } & SegmentDefinition;
export type SegmentPatch = Partial<SegmentFields>;

type Row = { id: string; name: string; listId: string | null; listName: string | null; conditions: unknown; createdAt: Date | string; updatedAt: Date | string };

const nameTaken = (name: string) => new AppError('CONFLICT', `You already have a segment called "${name}".`, { fieldErrors: { name: 'This name is taken.' } });
export const segmentNotFound = () => new AppError('NOT_FOUND', 'No segment with this id.');

/** Stored trees were validated on save; parsing again means a tree from an older shape fails loudly instead of matching too much. */
export const storedConditions = (value: unknown): SegmentConditions => segmentConditionsSchema.parse(value);

async function rowsOf(deps: Deps, tenantId: string, id: string | null): Promise<Row[]> {
  return deps.sql<Row[]>`
    select s.id, s.name, s.list_id as "listId", l.name as "listName", s.conditions, s.created_at as "createdAt", s.updated_at as "updatedAt"
    from segments s left join lists l on l.id = s.list_id
    where s.tenant_id = ${tenantId} ${id === null ? deps.sql`` : deps.sql`and s.id = ${id}`}
    order by lower(s.name), s.id`;
}

/** Names of the lists and campaigns the trees mention, in one query. */
async function namesFor(deps: Deps, tenantId: string, trees: SegmentConditions[]): Promise<Map<string, string>> {
  const ids = [...new Set(trees.flatMap(referencedIds))];
  if (ids.length === 0) return new Map();
  const rows = await deps.sql<{ id: string; name: string }[]>`
    select id, name from lists where tenant_id = ${tenantId} and id = any(${ids}::uuid[])
    union all
    select id, name from campaigns where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function viewsOf(deps: Deps, tenantId: string, rows: Row[]): Promise<SegmentView[]> {
  const trees = rows.map((r) => storedConditions(r.conditions));
  const names = await namesFor(deps, tenantId, trees);
  return rows.map((r, i) => {
    const conditions = trees[i] as SegmentConditions;
    return {
      id: r.id,
      name: r.name,
      listId: r.listId,
      listName: r.listName,
      description: describeConditions(conditions, names),
      conditions,
      createdAt: toIso(r.createdAt),
      updatedAt: toIso(r.updatedAt),
    };
  });
}

export async function getSegment(deps: Deps, tenantId: string, id: string): Promise<SegmentView> {
  const [view] = await viewsOf(deps, tenantId, await rowsOf(deps, tenantId, id));
  if (!view) throw segmentNotFound();
  return view;
}

/** By name; each with its base list's name and a description of its conditions. */
export async function listSegments(deps: Deps, tenantId: string): Promise<SegmentSummary[]> {
  const views = await viewsOf(deps, tenantId, await rowsOf(deps, tenantId, null));
  return views.map(({ conditions: _conditions, ...summary }) => summary);
}

export async function createSegment(deps: Deps, tenantId: string, input: SegmentFields): Promise<{ id: string }> {
  await assertOwnReferences(deps, tenantId, input);
  try {
    const [row] = await deps.sql<{ id: string }[]>`
      insert into segments (tenant_id, name, list_id, conditions)
      values (${tenantId}, ${input.name}, ${input.listId}, ${JSON.stringify(input.conditions)}::jsonb)
      returning id`;
    if (!row) throw new Error('segment insert returned no row');
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/**
 * A change applies to campaigns not yet started, and to the rest of a fan-out
 * in progress: a segment is read when each chunk of a fan-out runs.
 */
export async function updateSegment(deps: Deps, tenantId: string, id: string, patch: SegmentPatch): Promise<SegmentView> {
  const current = await getSegment(deps, tenantId, id);
  const next = { listId: patch.listId === undefined ? current.listId : patch.listId, conditions: patch.conditions ?? current.conditions };
  await assertOwnReferences(deps, tenantId, next);
  try {
    const updated = await deps.sql`
      update segments set name = ${patch.name ?? current.name}, list_id = ${next.listId}, conditions = ${JSON.stringify(next.conditions)}::jsonb, updated_at = now()
      where id = ${id} and tenant_id = ${tenantId}
      returning id`;
    if (updated.length === 0) throw segmentNotFound();
  } catch (err) {
    if (patch.name !== undefined && isUniqueViolation(err)) throw nameTaken(patch.name);
    throw err;
  }
  return getSegment(deps, tenantId, id);
}

/**
 * Refused while a campaign that is scheduled, sending or paused goes to the
 * segment. The campaigns are locked first: a send committing meanwhile is
 * waited for and seen, instead of losing its audience to ON DELETE SET NULL.
 * Drafts simply lose the segment as their audience.
 */
export async function deleteSegment(deps: Deps, tenantId: string, id: string): Promise<void> {
  await deps.sql.begin(async (tx) => {
    const users = await tx<{ name: string; status: string }[]>`
      select name, status::text from campaigns where tenant_id = ${tenantId} and segment_id = ${id} order by created_at for update`;
    const active = users.find((c) => c.status === 'scheduled' || c.status === 'sending' || c.status === 'paused');
    if (active) {
      throw new AppError('CONFLICT', `The campaign “${active.name}” (${active.status}) goes to this segment: it can be deleted once that campaign is finished or cancelled.`);
    }
    const removed = await tx`delete from segments where id = ${id} and tenant_id = ${tenantId} returning id`;
    if (removed.length === 0) throw segmentNotFound();
  });
}
