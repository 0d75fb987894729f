import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { lists } from './lists.js';
import { tenants } from './tenants.js';

/**
 * A saved audience: the contacts of a list (or all the tenant's contacts when
 * `list_id` is null) narrowed by a condition tree (services/segments/
 * conditions.ts), evaluated set-based when a campaign fans out, so the
 * campaign goes to whoever matches when it starts. A base list cannot be
 * deleted from under a segment (RESTRICT): silently widening the audience to
 * all contacts would be the worst outcome.
 */
export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    listId: uuid('list_id').references(() => lists.id, { onDelete: 'restrict' }),
    /** Validated by services/segments/conditions.ts before it is stored. */
    conditions: jsonb('conditions').$type<{ match: 'all' | 'any'; conditions: unknown[] }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`), index('segments_list_id_idx').on(t.listId)],
);
