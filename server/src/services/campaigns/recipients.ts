import type { Sql } from 'postgres';
import { toIso } from '../../db/times.js';
import { loadCampaign } from './records.js';
import { MESSAGE_STATUSES, type MessageStatus } from './stats.js';
import type { Deps } from '../../deps.js';

export type Recipient = {
  /** The message id (also what the next page's cursor is). */
  id: string;
  email: string;
  /** Null once the contact was deleted; the message keeps the address it went to. */
  contactId: string | null;
  status: MessageStatus;
  /** The SES event about this message that happened last (by SES's time). */
  lastEvent: { type: string; at: string } | null;
  /** Why it did not arrive, in a few words: the send error, the bounce type or why it was skipped. */
  error: string | null;
  sentAt: string | null;
};
export type RecipientsPage = { items: Recipient[]; nextCursor: string | null };
export type RecipientsQuery = { id: string; status?: MessageStatus | undefined; cursor?: string | undefined; limit?: number | undefined };

export const DEFAULT_RECIPIENTS_PAGE = 50;
export const MAX_RECIPIENTS_PAGE = 200;

type Row = {
  id: string;
  email: string;
  contactId: string | null;
  status: MessageStatus;
  sentAt: string | null;
  lastError: string | null;
  bounceType: string | null;
  suppressionReason: string | null;
  eventType: string | null;
  eventAt: string | null;
};

function errorOf(row: Row): string | null {
  if (row.status === 'bounced') return `Bounced (${row.bounceType ?? 'Undetermined'})`;
  if (row.status === 'suppressed') return row.suppressionReason;
  return row.lastError;
}

/**
 * One page of a campaign's messages in id order, after `after`. Each status
 * is read as its own range of messages_campaign_status_idx (campaign,
 * status, id) and the ranges merged, so a page costs a few index probes
 * with or without a status filter, however large the campaign; the last
 * event is looked up for the page's rows only. The caller has checked that
 * the campaign is the tenant's.
 */
export async function recipientPage(
  sql: Sql,
  tenantId: string,
  campaignId: string,
  page: { status: MessageStatus | undefined; after: string | undefined; limit: number },
): Promise<RecipientsPage> {
  const statuses = page.status ? [page.status] : [...MESSAGE_STATUSES];
  const rows = await sql<Row[]>`
    with page as (
      select m.* from unnest(${statuses}::message_status[]) s(status)
      cross join lateral (
        select m.id, m.to_address, m.contact_id, m.status, m.sent_at, m.last_error, m.bounce_type, m.suppression_reason
        from messages m
        where m.campaign_id = ${campaignId} and m.tenant_id = ${tenantId} and m.status = s.status
          ${page.after ? sql`and m.id > ${page.after}` : sql``}
        order by m.id limit ${page.limit + 1}
      ) m
      order by m.id limit ${page.limit + 1}
    )
    select p.id, p.to_address as email, p.contact_id as "contactId", p.status, p.sent_at as "sentAt", p.last_error as "lastError",
      p.bounce_type as "bounceType", p.suppression_reason as "suppressionReason", e.event_type as "eventType", e.occurred_at as "eventAt"
    from page p
    left join lateral (
      select me.event_type, me.occurred_at from message_events me
      where me.message_id = p.id order by me.occurred_at desc, me.received_at desc limit 1
    ) e on true
    order by p.id`;
  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    email: row.email,
    contactId: row.contactId,
    status: row.status,
    lastEvent: row.eventType && row.eventAt ? { type: row.eventType, at: toIso(row.eventAt) } : null,
    error: errorOf(row),
    sentAt: row.sentAt ? toIso(row.sentAt) : null,
  }));
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}

/** The report's recipients table: filterable by status, paged by message id. */
export async function campaignRecipients(deps: Deps, tenantId: string, query: RecipientsQuery): Promise<RecipientsPage> {
  await loadCampaign(deps, tenantId, query.id);
  const limit = Math.min(query.limit ?? DEFAULT_RECIPIENTS_PAGE, MAX_RECIPIENTS_PAGE);
  return recipientPage(deps.sql, tenantId, query.id, { status: query.status, after: query.cursor, limit });
}
