import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

export const channel = pgEnum('channel', ['email']);
export const channelProvider = pgEnum('channel_provider', ['ses']);

/**
 * One row per tenant and channel. The AWS key pair is stored encrypted
 * (crypto/secretBox.ts, bound to tenant, table and column) and removed
 * outright on disconnect.
 */
export const tenantChannelSettings = pgTable(
  'tenant_channel_settings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    channel: channel('channel').notNull().default('email'),
    provider: channelProvider('provider').notNull().default('ses'),
    awsAccessKeyId: text('aws_access_key_id'),
    awsSecretAccessKey: text('aws_secret_access_key'),
    sesRegion: text('ses_region'),
    verifiedSenderEmail: text('verified_sender_email'),
    isConnected: boolean('is_connected').notNull().default(false),
    awsAccountId: text('aws_account_id'),
    maxSendRate: doublePrecision('max_send_rate'),
    max24hSend: doublePrecision('max_24h_send'),
    sentLast24h: doublePrecision('sent_last_24h'),
    sandbox: boolean('sandbox'),
    /** The tenant's own cap, at most SES's max send rate. */
    rateLimitPerSec: integer('rate_limit_per_sec'),
    configurationSetName: text('configuration_set_name'),
    /** The SNS topic Herald's event-tracking setup created or reused (services/channels/eventSetup.ts). */
    eventsTopicArn: text('events_topic_arn'),
    /** The webhook's subscription to that topic; null until SNS reports one. */
    eventsSubscriptionArn: text('events_subscription_arn'),
    /** When the last setup finished every step. */
    eventsSetupAt: timestamp('events_setup_at', { withTimezone: true }),
    /** Why the last setup stopped (plain words with the AWS code); cleared by a setup that completes. */
    eventsSetupError: text('events_setup_error'),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
    lastError: text('last_error'),
    /** SES said the daily quota is spent: no sends for this tenant before then. */
    sendingPausedUntil: timestamp('sending_paused_until', { withTimezone: true }),
    sendingPausedReason: text('sending_paused_reason'),
    connectedAt: timestamp('connected_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tenant_channel_settings_tenant_channel_idx').on(t.tenantId, t.channel),
    index('tenant_channel_settings_tenant_id_idx').on(t.tenantId),
    // The webhook finds the tenants of an SNS topic by the topic's AWS account.
    index('tenant_channel_settings_aws_account_idx').on(t.awsAccountId).where(sql`${t.isConnected}`),
  ],
);
