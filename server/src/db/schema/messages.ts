import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.js';
import { tenants } from './tenants.js';

/**
 * Ranked progress `queued < sending < sent < delivered < opened < clicked`
 * and the terminal outcomes (DESIGN §4). `unknown`: SES may or may not have
 * accepted the send (the worker died or the call timed out after leaving);
 * it is never re-sent blindly, the SES Send event resolves it. `cancelled`:
 * the campaign was cancelled before this message left.
 */
export const messageStatus = pgEnum('message_status', [
  'queued',
  'sending',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'rejected',
  'failed',
  'suppressed',
  'cancelled',
  'unknown',
]);

/**
 * One row per campaign recipient, made by the fan-out job; the unique
 * (campaign_id, contact_id) index is what makes a re-run fan-out harmless.
 * The address is copied so the record of what was sent survives a later
 * edit or deletion of the contact. `to_address` has the C collation (set in
 * migration 0007), like contacts.email and suppressions.email, so the
 * suppression re-check at claim time is an index lookup.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // No foreign key to tenants: the campaign's key already removes a tenant's messages with its campaigns, and
    // the per-row check cost the fan-out a lookup of the tenant for each of a million rows (migration 0018).
    tenantId: uuid('tenant_id').notNull(),
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    // No foreign key either: deleting a contact nulls it here itself (services/audience/contacts.ts, db/tenantContactsLock.ts).
    contactId: uuid('contact_id'),
    toAddress: text('to_address').notNull(),
    status: messageStatus('status').notNull().default('queued'),
    /** Why a recipient was skipped: unsubscribed, bounced, complained or suppressed (+ the suppression's reason). */
    suppressionReason: text('suppression_reason'),
    /** The SES MessageId; every SES event about the message carries it as mail.messageId. */
    providerMessageId: text('provider_message_id'),
    /** SES calls that failed transiently; throttled calls do not count. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** A retry waits until then; null means now. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** The claim that moved it to `sending`: only that claimer may record the outcome. */
    claimToken: uuid('claim_token'),
    /** A claim still `sending` after this belongs to a worker that died (sending/recovery.ts). */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sendingAt: timestamp('sending_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    complainedAt: timestamp('complained_at', { withTimezone: true }),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    openCount: integer('open_count').notNull().default(0),
    clickCount: integer('click_count').notNull().default(0),
    bounceType: text('bounce_type'),
  },
  (t) => [
    uniqueIndex('messages_campaign_contact_idx').on(t.campaignId, t.contactId),
    // A contact's history (contact page), and the messages deleting a contact must null (deleteContact).
    index('messages_contact_id_idx').on(t.contactId),
    // Webhook events find their message by tenant and SES MessageId; it also serves tenant-wide lookups.
    index('messages_tenant_provider_id_idx').on(t.tenantId, t.providerMessageId).where(sql`${t.providerMessageId} is not null`),
    // What senders claim next; rows leave it as they are claimed.
    index('messages_queued_idx').on(t.campaignId, t.id).where(sql`${t.status} = 'queued'`),
    // The campaign report's recipients table, filtered by status and paged by id.
    index('messages_campaign_status_idx').on(t.campaignId, t.status, t.id),
    // What recovery looks at: claims whose worker may have died.
    index('messages_sending_idx').on(t.leaseUntil).where(sql`${t.status} = 'sending'`),
    // Segment engagement conditions ("opened any campaign in the last 30 days", "clicked campaign X"): the
    // tenant's milestones in time order, with the contact and the campaign in the index so either set is read
    // from the index alone (services/segments/compile.ts; migration 0017 measures the campaign column's gain).
    index('messages_tenant_sent_engagement_idx').on(t.tenantId, t.sentAt, t.contactId, t.campaignId).where(sql`${t.sentAt} is not null`),
    index('messages_tenant_opened_engagement_idx').on(t.tenantId, t.openedAt, t.contactId, t.campaignId).where(sql`${t.openedAt} is not null`),
    index('messages_tenant_clicked_engagement_idx').on(t.tenantId, t.clickedAt, t.contactId, t.campaignId).where(sql`${t.clickedAt} is not null`),
  ],
);

/**
 * Message counts per campaign and status, kept by statement-level triggers
 * on `messages` (migrations 0007, 0008), so reading progress or metrics never
 * scans messages. A backend writes the shard row pg_backend_pid() % 8, so
 * concurrent senders mostly do not queue on one hot row (readers sum the
 * shards); the triggers lock counters in a fixed order, so sharing one cannot deadlock.
 * A shard's count may be negative; the sum never is.
 */
export const campaignStats = pgTable(
  'campaign_stats',
  {
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    status: messageStatus('status').notNull(),
    shard: smallint('shard').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.status, t.shard] }), index('campaign_stats_tenant_id_idx').on(t.tenantId)],
);
