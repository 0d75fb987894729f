import { and, eq, inArray, sql as dsql } from 'drizzle-orm';
import { isUniqueViolation } from '../../db/pgErrors.js';
import { contacts, listMembers, lists, suppressions } from '../../db/schema/index.js';
import { lockContactsForDeletion } from '../../db/tenantContactsLock.js';
import { AppError } from '../../errors.js';
import { contactMessages, type ContactMessage } from './contactMessages.js';
import type { Deps } from '../../deps.js';
import { normalizeEmail } from '../emailAddress.js';

export type ContactStatus = 'subscribed' | 'unsubscribed' | 'bounced' | 'complained';
export type ContactView = {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string>;
  status: ContactStatus;
  createdAt: string;
  updatedAt: string;
};
export type ContactDetail = ContactView & {
  lists: { id: string; name: string }[];
  suppression: { reason: string; source: string | null; createdAt: string } | null;
  /** The newest campaign emails addressed to the contact. */
  messages: ContactMessage[];
};

type Row = typeof contacts.$inferSelect;

export function toContactView(row: Row): ContactView {
  return {
    id: row.id,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    attributes: row.attributes,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every list id must be one of the tenant's own lists. */
async function assertOwnLists(deps: Deps, tenantId: string, listIds: string[]): Promise<void> {
  if (listIds.length === 0) return;
  const found = await deps.db.select({ id: lists.id }).from(lists).where(and(eq(lists.tenantId, tenantId), inArray(lists.id, listIds)));
  if (found.length !== new Set(listIds).size) throw new AppError('NOT_FOUND', 'One of the lists does not exist.');
}

export async function createContact(
  deps: Deps,
  tenantId: string,
  input: { email: string; firstName?: string | undefined; lastName?: string | undefined; attributes?: Record<string, string> | undefined; listIds?: string[] | undefined },
): Promise<{ id: string }> {
  const listIds = input.listIds ?? [];
  await assertOwnLists(deps, tenantId, listIds);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(contacts)
      .values({ tenantId, email: normalizeEmail(input.email), firstName: input.firstName ?? null, lastName: input.lastName ?? null, attributes: input.attributes ?? {} })
      .onConflictDoNothing()
      .returning({ id: contacts.id });
    if (!row) throw new AppError('CONFLICT', `A contact with the email ${normalizeEmail(input.email)} already exists.`);
    if (listIds.length > 0) await tx.insert(listMembers).values(listIds.map((listId) => ({ listId, contactId: row.id, tenantId })));
    return row;
  });
}

async function findOwn(deps: Deps, tenantId: string, id: string): Promise<Row> {
  const [row] = await deps.db.select().from(contacts).where(and(eq(contacts.id, id), eq(contacts.tenantId, tenantId)));
  if (!row) throw new AppError('NOT_FOUND', 'No contact with this id.');
  return row;
}

export async function getContact(deps: Deps, tenantId: string, id: string): Promise<ContactDetail> {
  const row = await findOwn(deps, tenantId, id);
  const memberOf = await deps.db
    .select({ id: lists.id, name: lists.name })
    .from(listMembers)
    .innerJoin(lists, eq(lists.id, listMembers.listId))
    .where(and(eq(listMembers.contactId, id), eq(listMembers.tenantId, tenantId)))
    .orderBy(lists.name);
  const [suppression] = await deps.db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.tenantId, tenantId), eq(suppressions.email, row.email)));
  const messages = await contactMessages(deps, tenantId, id);
  return {
    ...toContactView(row),
    lists: memberOf,
    messages,
    suppression: suppression ? { reason: suppression.reason, source: suppression.source, createdAt: suppression.createdAt.toISOString() } : null,
  };
}

export async function updateContact(
  deps: Deps,
  tenantId: string,
  input: {
    id: string;
    email?: string | undefined;
    firstName?: string | null | undefined;
    lastName?: string | null | undefined;
    attributes?: Record<string, string> | undefined;
    status?: 'subscribed' | 'unsubscribed' | undefined;
  },
): Promise<ContactView> {
  const current = await findOwn(deps, tenantId, input.id);
  if (input.status === 'subscribed' && current.status !== 'subscribed') {
    const [suppressed] = await deps.db
      .select({ reason: suppressions.reason })
      .from(suppressions)
      .where(and(eq(suppressions.tenantId, tenantId), eq(suppressions.email, current.email)));
    if (suppressed || current.status === 'bounced' || current.status === 'complained') {
      throw new AppError(
        'PRECONDITION_FAILED',
        `${current.email} cannot be resubscribed here: it is suppressed (${suppressed?.reason ?? current.status}). Remove it from Suppressions first if you are sure it is safe.`,
      );
    }
  }
  const email = input.email === undefined ? undefined : normalizeEmail(input.email);
  try {
    const [row] = await deps.db
      .update(contacts)
      .set({
        ...(email !== undefined ? { email } : {}),
        ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
        ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
        ...(input.attributes !== undefined ? { attributes: input.attributes } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
        updatedAt: dsql`now()`,
      })
      .where(and(eq(contacts.id, input.id), eq(contacts.tenantId, tenantId)))
      .returning();
    if (!row) throw new AppError('NOT_FOUND', 'No contact with this id.');
    return toContactView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `Another contact already has the email ${email}.`);
    throw err;
  }
}

/** Its messages stay (the record of what was sent), no longer naming it; see db/tenantContactsLock.ts. */
export async function deleteContact(deps: Deps, tenantId: string, id: string): Promise<void> {
  const removed = await deps.sql.begin(async (tx) => {
    await lockContactsForDeletion(tx, tenantId);
    const rows = await tx`delete from contacts where id = ${id} and tenant_id = ${tenantId} returning id`;
    if (rows.length > 0) await tx`update messages set contact_id = null where contact_id = ${id} and tenant_id = ${tenantId}`;
    return rows.length;
  });
  if (removed === 0) throw new AppError('NOT_FOUND', 'No contact with this id.');
}
