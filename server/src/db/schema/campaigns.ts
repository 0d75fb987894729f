import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { channel } from './channelSettings.js';
import { lists } from './lists.js';
import { segments } from './segments.js';
import { tenants } from './tenants.js';

export const campaignStatus = pgEnum('campaign_status', ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'failed']);

/**
 * A campaign's content is stored as written (Liquid templates); it is
 * rendered per recipient at send. The audience is a list or a segment
 * (never both); either may be deleted under a draft: the campaign stays,
 * without an audience, until the user picks another. A `scheduled` campaign
 * starts at `scheduled_at` (an instant; `schedule_time_zone` is the IANA zone
 * it was picked in, for showing it as picked); `schedule_problem` says why a
 * scheduled start did not happen (the campaign is back to draft).
 */
export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    channel: channel('channel').notNull().default('email'),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    fromEmail: text('from_email').notNull(),
    fromName: text('from_name'),
    replyTo: text('reply_to'),
    html: text('html').notNull(),
    /** Null means "generate from the HTML". */
    text: text('text'),
    listId: uuid('list_id').references(() => lists.id, { onDelete: 'set null' }),
    segmentId: uuid('segment_id').references(() => segments.id, { onDelete: 'set null' }),
    status: campaignStatus('status').notNull().default('draft'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    pausedReason: text('paused_reason'),
    /** When "send" was pressed. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** The fan-out resumes after this contact when re-run: its id for a list, its email for a segment. */
    fanOutCursor: text('fan_out_cursor'),
    /** Set once every recipient has its message row; until then the campaign cannot be finished. */
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    scheduleTimeZone: text('schedule_time_zone'),
    scheduleProblem: text('schedule_problem'),
  },
  (t) => [
    index('campaigns_tenant_id_idx').on(t.tenantId),
    index('campaigns_list_id_idx').on(t.listId),
    index('campaigns_segment_id_idx').on(t.segmentId),
    check('campaigns_one_audience', sql`${t.listId} is null or ${t.segmentId} is null`),
  ],
);
