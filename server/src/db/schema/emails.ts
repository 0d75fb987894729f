import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './apiKeys.js';
import { messageStatus } from './messages.js';
import { templates } from './templates.js';
import { tenants } from './tenants.js';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * Where a transactional email stands on its way to SES (what happened after
 * SES took it is each recipient's status). `scheduled`: waits for its
 * scheduledAt; `held`: the tenant's sending is paused (quota, reputation
 * guard), held_reason says why; `refused`: every recipient was refused, so
 * nothing is sent; `unknown`: SES may or may not have taken
 * it, never re-sent blindly (DESIGN §4).
 */
export const emailSendStatus = pgEnum('email_send_status', ['scheduled', 'queued', 'held', 'sending', 'sent', 'failed', 'unknown', 'refused']);
export const recipientKind = pgEnum('recipient_kind', ['to', 'cc', 'bcc']);

export type EmailTag = { name: string; value: string };
export type AttachmentMeta = { filename: string; contentType: string; size: number };

/**
 * One transactional email (emails.send): one SES call to all its accepted
 * recipients. What is sent is exactly what was accepted: the rendered
 * subject and bodies are stored, and the raw MIME message is built from them
 * by the send job, or at acceptance when the email has attachments (their
 * bytes live only in `raw`) or might pass SES's size limit. `raw` is dropped
 * once SES has it; `raw_size` is known once the message is built. `idempotency_key` + `request_hash` answer
 * retries for 24 hours (services/emails/idempotency.ts).
 */
export const emails = pgTable(
  'emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name'),
    replyTo: jsonb('reply_to').$type<string[]>().notNull().default([]),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text'),
    templateId: uuid('template_id').references(() => templates.id, { onDelete: 'set null' }),
    templateVersion: integer('template_version'),
    tags: jsonb('tags').$type<EmailTag[]>().notNull().default([]),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    attachments: jsonb('attachments').$type<AttachmentMeta[]>().notNull().default([]),
    raw: bytea('raw'),
    rawSize: integer('raw_size'),
    status: emailSendStatus('status').notNull().default('queued'),
    heldReason: text('held_reason'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    providerMessageId: text('provider_message_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sendingAt: timestamp('sending_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('emails_tenant_idempotency_key_idx').on(t.tenantId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    // emails.list pages newest first by (created_at, id).
    index('emails_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('emails_tenant_provider_id_idx').on(t.tenantId, t.providerMessageId).where(sql`${t.providerMessageId} is not null`),
  ],
);

/**
 * Each address of an email, with its own derived status (message_status,
 * milestones as on messages): a recipient refused at acceptance is
 * `suppressed` with the reason; SES events move the others.
 */
export const emailRecipients = pgTable(
  'email_recipients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    emailId: uuid('email_id').notNull().references(() => emails.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    kind: recipientKind('kind').notNull(),
    /** Where it stood in the request (to, then cc, then bcc), so every answer lists recipients as asked. */
    position: integer('position').notNull(),
    status: messageStatus('status').notNull().default('queued'),
    suppressionReason: text('suppression_reason'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    complainedAt: timestamp('complained_at', { withTimezone: true }),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    bounceType: text('bounce_type'),
    openCount: integer('open_count').notNull().default(0),
    clickCount: integer('click_count').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_recipients_email_address_idx').on(t.emailId, sql`lower(${t.address})`),
    index('email_recipients_tenant_address_idx').on(t.tenantId, sql`lower(${t.address})`),
  ],
);
