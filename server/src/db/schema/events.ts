import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { emails } from './emails.js';
import { messages } from './messages.js';
import { testSends } from './testSends.js';
import { tenants } from './tenants.js';

/**
 * `pending` until the processing job has looked at it; then `applied` (it
 * named at least one Herald message) or `orphan` (no message of the topic's
 * tenants has that SES id: kept and counted, never turned into a message).
 */
export const eventState = pgEnum('event_state', ['pending', 'applied', 'orphan']);

/**
 * Every SES event Amazon SNS delivered and Herald verified, as received.
 * Unique on the SNS MessageId: SNS delivers at least once and a retry reuses
 * the id, so a redelivery is acknowledged without a second row. The event is
 * accepted for an AWS account (the topic's), before anyone knows which
 * message it names, so `tenant_id` is filled in by processing and stays null
 * for orphans.
 */
export const messageEvents = pgTable(
  'message_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    snsMessageId: text('sns_message_id').notNull().unique(),
    topicArn: text('topic_arn').notNull(),
    awsAccountId: text('aws_account_id').notNull(),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    /** Set instead of message_id for an event about one of Herald's test emails. */
    testSendId: uuid('test_send_id').references(() => testSends.id, { onDelete: 'set null' }),
    /** A transactional email's event (emails.send): linked to the email, applied to its recipients. */
    emailId: uuid('email_id').references(() => emails.id, { onDelete: 'set null' }),
    /** SES's `eventType` (event publishing) or `notificationType` (identity notifications). */
    eventType: text('event_type').notNull(),
    /** SES's mail.messageId: what Herald stored as the message's provider_message_id. */
    sesMessageId: text('ses_message_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    state: eventState('state').notNull().default('pending'),
    /** Which processing job takes it (jobs/events__process.ts): spreads the work and the job-key upserts. */
    shard: smallint('shard').notNull(),
    /** The SES event (the SNS `Message`, parsed). Never logged. */
    payload: jsonb('payload').notNull(),
  },
  (t) => [
    index('message_events_pending_idx').on(t.shard, t.receivedAt).where(sql`${t.state} = 'pending'`),
    // The links are null while an event is pending and most stay null (an event names a campaign message,
    // a test email or a transactional one), and lookups always name a value: null entries are left out,
    // so storing an event writes four index entries instead of eight, and applying it five instead of seven.
    index('message_events_message_id_idx').on(t.messageId).where(sql`${t.messageId} is not null`),
    index('message_events_test_send_id_idx').on(t.testSendId).where(sql`${t.testSendId} is not null`),
    index('message_events_email_id_idx').on(t.emailId).where(sql`${t.emailId} is not null`),
    // The health panel reads an account's events of the last 24 hours.
    index('message_events_account_received_idx').on(t.awsAccountId, t.receivedAt),
    index('message_events_tenant_id_idx').on(t.tenantId, t.occurredAt).where(sql`${t.tenantId} is not null`),
    // An account's orphans of the last 24 hours (the health panel), of the last hour (handed back at worker start, events/earlyEvents.ts).
    index('message_events_orphans_received_idx').on(t.awsAccountId, t.receivedAt).where(sql`${t.state} = 'orphan'`),
    // An event can beat the outcome naming its SES message id (sending/claims.ts): found again by that id.
    index('message_events_orphans_ses_idx').on(t.sesMessageId).where(sql`${t.state} = 'orphan'`),
  ],
);

/**
 * The SNS topics that deliver SES events to Herald, by ARN (the ARN names
 * the AWS account; tenants connected with that account see it in settings).
 */
export const snsTopics = pgTable(
  'sns_topics',
  {
    topicArn: text('topic_arn').primaryKey(),
    awsAccountId: text('aws_account_id').notNull(),
    subscriptionArn: text('subscription_arn'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /** SNS said the subscription was removed: no events arrive any more until it is subscribed again. */
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    lastEventAt: timestamp('last_event_at', { withTimezone: true }),
    /** Why the last confirmation attempt failed. */
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sns_topics_aws_account_id_idx').on(t.awsAccountId)],
);
