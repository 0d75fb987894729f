import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

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
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
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
    // email rides along so a name search can pick its page of emails from the index alone.
    index('contacts_tenant_first_name_idx').on(t.tenantId, sql`lower(${t.firstName}) collate "C"`, t.email),
    index('contacts_tenant_last_name_idx').on(t.tenantId, sql`lower(${t.lastName}) collate "C"`, t.email),
    index('contacts_tenant_status_email_idx').on(t.tenantId, t.status, t.email),
    // A segment over all contacts fans out in id order (keyset on the contact id), and samples attributes in that order.
    index('contacts_tenant_id_id_idx').on(t.tenantId, t.id),
  ],
);
