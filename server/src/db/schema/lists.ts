import { sql } from 'drizzle-orm';
import { bigint, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from './contacts.js';
import { tenants } from './tenants.js';

export const lists = pgTable(
  'lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Kept by a statement-level trigger on list_members, so counts never scan members. */
    memberCount: bigint('member_count', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('lists_tenant_id_idx').on(t.tenantId), uniqueIndex('lists_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`)],
);

export const listMembers = pgTable(
  'list_members',
  {
    listId: uuid('list_id').notNull().references(() => lists.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').notNull().references(() => contacts.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.contactId] }), index('list_members_contact_id_idx').on(t.contactId), index('list_members_tenant_id_idx').on(t.tenantId)],
);
