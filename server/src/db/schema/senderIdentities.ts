import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * Sender identities (addresses, domains) a tenant asked SES to verify
 * through Herald. SES holds their state; this only records that Herald added
 * them, because Herald removes only what it added.
 */
export const senderIdentities = pgTable(
  'sender_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    identity: text('identity').notNull(),
    /** The SES region the identity was added in (identities are per region). */
    region: text('region').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sender_identities_tenant_identity_idx').on(t.tenantId, t.region, sql`lower(${t.identity})`)],
);
