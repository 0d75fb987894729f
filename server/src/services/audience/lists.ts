import { and, desc, eq, inArray } from 'drizzle-orm';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/pgErrors.js';
import { contacts, listMembers, lists } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';

export type ListView = { id: string; name: string; memberCount: number; createdAt: string };

const toView = (row: typeof lists.$inferSelect): ListView => ({
  id: row.id,
  name: row.name,
  memberCount: row.memberCount,
  createdAt: row.createdAt.toISOString(),
});

const nameTaken = (name: string) => new AppError('CONFLICT', `You already have a list called "${name}".`);

export async function createList(deps: Deps, tenantId: string, input: { name: string }): Promise<{ id: string }> {
  try {
    const [row] = await deps.db.insert(lists).values({ tenantId, name: input.name }).returning({ id: lists.id });
    if (!row) throw new Error('list insert returned no row');
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

export async function listLists(deps: Deps, tenantId: string): Promise<ListView[]> {
  const rows = await deps.db.select().from(lists).where(eq(lists.tenantId, tenantId)).orderBy(desc(lists.createdAt));
  return rows.map(toView);
}

export async function getList(deps: Deps, tenantId: string, id: string): Promise<ListView> {
  const [row] = await deps.db.select().from(lists).where(and(eq(lists.id, id), eq(lists.tenantId, tenantId)));
  if (!row) throw new AppError('NOT_FOUND', 'No list with this id.');
  return toView(row);
}

export async function renameList(deps: Deps, tenantId: string, input: { id: string; name: string }): Promise<ListView> {
  try {
    const [row] = await deps.db
      .update(lists)
      .set({ name: input.name })
      .where(and(eq(lists.id, input.id), eq(lists.tenantId, tenantId)))
      .returning();
    if (!row) throw new AppError('NOT_FOUND', 'No list with this id.');
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/**
 * Deletes the list and its memberships; the contacts themselves stay.
 * Refused while a segment is built on it, as its base or in a condition:
 * without the list, "not on this list" or an absent base would silently
 * widen the segment's audience.
 */
export async function deleteList(deps: Deps, tenantId: string, id: string): Promise<void> {
  const [user] = await deps.sql<{ name: string }[]>`
    select name from segments
    where tenant_id = ${tenantId}
      and (list_id = ${id} or jsonb_path_exists(conditions, '$.**.listId ? (@ == $id)', jsonb_build_object('id', ${id}::text)))
    order by lower(name) limit 1`;
  if (user) throw new AppError('CONFLICT', `The segment “${user.name}” uses this list: change or delete the segment first.`);
  const removed = await deps.db
    .delete(lists)
    .where(and(eq(lists.id, id), eq(lists.tenantId, tenantId)))
    .returning({ id: lists.id })
    .catch((err: unknown) => {
      // A segment based on the list was saved after the check above.
      if (isForeignKeyViolation(err)) throw new AppError('CONFLICT', 'A segment uses this list: change or delete the segment first.');
      throw err;
    });
  if (removed.length === 0) throw new AppError('NOT_FOUND', 'No list with this id.');
}

/** Adds the tenant's own contacts only; ids of other tenants' contacts are ignored as unknown. */
export async function addContactsToList(deps: Deps, tenantId: string, input: { listId: string; contactIds: string[] }): Promise<{ added: number }> {
  await getList(deps, tenantId, input.listId);
  const own = await deps.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.tenantId, tenantId), inArray(contacts.id, input.contactIds)));
  if (own.length !== new Set(input.contactIds).size) throw new AppError('NOT_FOUND', 'One of the contacts does not exist.');
  const added = await deps.db
    .insert(listMembers)
    .values(own.map((c) => ({ listId: input.listId, contactId: c.id, tenantId })))
    .onConflictDoNothing()
    .returning({ contactId: listMembers.contactId });
  return { added: added.length };
}

export async function removeContactsFromList(deps: Deps, tenantId: string, input: { listId: string; contactIds: string[] }): Promise<{ removed: number }> {
  await getList(deps, tenantId, input.listId);
  const removed = await deps.db
    .delete(listMembers)
    .where(and(eq(listMembers.listId, input.listId), eq(listMembers.tenantId, tenantId), inArray(listMembers.contactId, input.contactIds)))
    .returning({ contactId: listMembers.contactId });
  return { removed: removed.length };
}
