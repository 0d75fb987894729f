import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * One send-rate limiter per tenant, shared by every worker on every machine
 * (sending/rateLimiter.ts). GCRA state: `tat` (theoretical arrival time) is
 * the earliest moment the next send may happen, on the database server's
 * clock; '-infinity' until the tenant's first reservation.
 */
export const sendRateBuckets = pgTable('send_rate_buckets', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id, { onDelete: 'cascade' }),
  tat: timestamp('tat', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
