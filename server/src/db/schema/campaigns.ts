import { index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { channel } from './channelSettings.js';
import { lists } from './lists.js';
import { tenants } from './tenants.js';

export const campaignStatus = pgEnum('campaign_status', ['draft', 'sending', 'paused', 'sent', 'cancelled', 'failed']);

/**
 * A campaign's content is stored as written (Liquid templates); it is
 * rendered per recipient at send. The list may be deleted under a draft:
 * the campaign stays, without an audience, until the user picks another.
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
    status: campaignStatus('status').notNull().default('draft'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    pausedReason: text('paused_reason'),
    /** When "send" was pressed. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** The fan-out resumes after this list member (contact id) when re-run. */
    fanOutCursor: uuid('fan_out_cursor'),
    /** Set once every recipient has its message row; until then the campaign cannot be finished. */
    fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  },
  (t) => [index('campaigns_tenant_id_idx').on(t.tenantId), index('campaigns_list_id_idx').on(t.listId)],
);
