import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** Sender profile: printed in every email's footer (CAN-SPAM), required before sending. */
  companyName: text('company_name'),
  postalAddress: text('postal_address'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
