import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const contactStatus = pgEnum('contact_status', ['subscribed', 'unsubscribed', 'bounced', 'complained']);

/**
 * One row per person per tenant. `email` is stored normalized (trimmed,
 * lower-case) and has the C collation (set in migration 0003, which drizzle
 * cannot express): byte order makes `email >= 'ab' and email < 'ac'` a plain
 * index range, the basis of prefix search and keyset paging.
 */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // No foreign key to tenants: its per-row check was a third of a large import's write (migration 0023).
    // Contacts are only written for the signed-in tenant; tenants are never deleted.
    tenantId: uuid('tenant_id').notNull(),
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull().default({}),
    status: contactStatus('status').notNull().default('subscribed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contacts_tenant_email_idx').on(t.tenantId, t.email),
    // Name prefix search. Without the email as a third column, equal names share one deduplicated
    // index entry: the indexes stay small enough to stay cached while an import fills them (migration 0023).
    index('contacts_tenant_first_name_idx').on(t.tenantId, sql`lower(${t.firstName}) collate "C"`),
    index('contacts_tenant_last_name_idx').on(t.tenantId, sql`lower(${t.lastName}) collate "C"`),
    // A status filter other than `subscribed` (the contacts page, segment previews): nearly every contact is
    // subscribed, so that filter walks the email index instead, and an import writes no entry here (migration 0025).
    index('contacts_tenant_status_email_idx').on(t.tenantId, t.status, t.email).where(sql`${t.status} <> 'subscribed'`),
  ],
);
