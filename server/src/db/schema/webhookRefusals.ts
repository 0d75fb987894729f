import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * SNS deliveries the webhook refused, counted per hour and reason. The
 * account is the one the message's TopicArn claims ('' when no ARN could be
 * read): tenants of that account see them on their health panel; the sum
 * over all rows is the platform-wide figure. Counted, never stored, since a
 * forged body is nobody's data.
 */
export const webhookRefusals = pgTable(
  'webhook_refusals',
  {
    awsAccountId: text('aws_account_id').notNull(),
    reason: text('reason').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.awsAccountId, t.reason, t.hour] })],
);
