import { pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

export const suppressionReason = pgEnum('suppression_reason', ['bounce', 'complaint', 'unsubscribe', 'manual']);

/** Addresses a tenant must never send to, whether or not they are contacts. */
export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    reason: suppressionReason('reason').notNull(),
    /** What caused it: "csv import", a campaign id, an SES event id, a user. */
    source: text('source'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // email has the C collation (migration 0003), as contacts.email does.
  (t) => [uniqueIndex('suppressions_tenant_email_idx').on(t.tenantId, t.email)],
);
