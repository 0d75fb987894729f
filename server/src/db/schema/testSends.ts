import { index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.js';
import { tenants } from './tenants.js';

/** `campaign`: a campaign's "Send test"; `setup`: Settings → Channels' "Send test emails". */
export const testSendKind = pgEnum('test_send_kind', ['campaign', 'setup']);

/**
 * Emails Herald sends to check something, not to an audience. Their SES
 * events link here (message_events.test_send_id, by the `herald_test` tag or
 * the SES MessageId) so they are neither orphans nor counted in a campaign,
 * and they never suppress an address.
 */
export const testSends = pgTable(
  'test_sends',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    kind: testSendKind('kind').notNull(),
    /** The "Send test emails" click it belongs to (three emails share one). */
    batchId: uuid('batch_id'),
    campaignId: uuid('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    toAddress: text('to_address').notNull(),
    providerMessageId: text('provider_message_id'),
    /** Why SES refused it, when it did. */
    error: text('error'),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('test_sends_tenant_sent_idx').on(t.tenantId, t.sentAt),
    index('test_sends_batch_idx').on(t.batchId),
    index('test_sends_provider_message_id_idx').on(t.providerMessageId),
  ],
);
