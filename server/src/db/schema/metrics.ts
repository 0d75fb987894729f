import { bigint, doublePrecision, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.js';
import { messages } from './messages.js';
import { tenants } from './tenants.js';
import { users } from './users.js';

/**
 * Milestone counters per campaign, kept by the statement-level triggers on
 * `messages` (migration 0010) next to campaign_stats: `campaign_stats` counts
 * each message once, under its current status (a complained message is no
 * longer "delivered"); these count every message that ever reached a
 * milestone, which is what delivery, open and click rates need. Metrics:
 * sent, delivered, opened, clicked, bounced_hard, bounced_soft, complained
 * (see message_milestones() in the migration). Sharded like campaign_stats.
 */
export const campaignCounters = pgTable(
  'campaign_counters',
  {
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    shard: smallint('shard').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.metric, t.shard] }), index('campaign_counters_tenant_id_idx').on(t.tenantId)],
);

/**
 * The same milestones per minute of the time they happened (SES's event
 * time): the campaign's time chart, the tenant's 30-day sends and the
 * reputation guard's recent rates read these, never messages.
 */
export const campaignTimeline = pgTable(
  'campaign_timeline',
  {
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    shard: smallint('shard').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.metric, t.bucket, t.shard] }),
    index('campaign_timeline_tenant_idx').on(t.tenantId, t.metric, t.bucket),
  ],
);

/** Clicks per link of a campaign, from SES Click events: all clicks, and distinct recipients who clicked. */
export const campaignLinks = pgTable(
  'campaign_links',
  {
    campaignId: uuid('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    clicks: bigint('clicks', { mode: 'number' }).notNull().default(0),
    recipients: bigint('recipients', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.url] }), index('campaign_links_tenant_id_idx').on(t.tenantId)],
);

/** Which recipient clicked which link at least once: what makes campaign_links.recipients distinct. */
export const messageLinkClicks = pgTable(
  'message_link_clicks',
  {
    messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.url] })],
);

/** ok < warning < paused: where the tenant's recent bounce and complaint rates put it (services/reputation). */
export const reputationState = pgEnum('reputation_state', ['ok', 'warning', 'paused']);

/**
 * The reputation guard's latest verdict per tenant. `paused` stops the
 * tenant's sending until an owner resumes; after a resume only sends made
 * since `resumed_at` count, so the same old bounces do not pause it again.
 */
export const tenantReputation = pgTable('tenant_reputation', {
  tenantId: uuid('tenant_id').primaryKey().references(() => tenants.id, { onDelete: 'cascade' }),
  state: reputationState('state').notNull().default('ok'),
  sends: integer('sends').notNull().default(0),
  bounces: integer('bounces').notNull().default(0),
  complaints: integer('complaints').notNull().default(0),
  bounceRate: doublePrecision('bounce_rate'),
  complaintRate: doublePrecision('complaint_rate'),
  reason: text('reason'),
  checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
  pausedAt: timestamp('paused_at', { withTimezone: true }),
  resumedAt: timestamp('resumed_at', { withTimezone: true }),
  resumedBy: uuid('resumed_by').references(() => users.id, { onDelete: 'set null' }),
});
