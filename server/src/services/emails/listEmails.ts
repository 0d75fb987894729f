import { decodeCursor, encodeCursor } from '../keyset.js';
import type { Deps } from '../../deps.js';
import { deriveEmailStatus, type EmailStatus } from './emailStatus.js';

export const SEND_STAGES = ['scheduled', 'queued', 'held', 'sending', 'sent', 'failed', 'unknown', 'refused'] as const;
export const RECIPIENT_OUTCOMES = ['delivered', 'opened', 'clicked', 'bounced', 'complained', 'rejected'] as const;

export type EmailListFilter = {
  cursor?: string | undefined;
  limit?: number | undefined;
  /** An address (any of to, cc, bcc), exact, case-insensitive. */
  recipient?: string | undefined;
  /** A stage (queued, held, failed…) or an outcome some recipient had (delivered, bounced…). */
  status?: (typeof SEND_STAGES)[number] | (typeof RECIPIENT_OUTCOMES)[number] | undefined;
  tag?: { name: string; value: string } | undefined;
  since?: string | undefined;
  until?: string | undefined;
};

export type EmailListItem = {
  id: string;
  status: EmailStatus;
  subject: string;
  from: string;
  to: string[];
  recipientCount: number;
  tags: { name: string; value: string }[];
  createdAt: string;
  sentAt: string | null;
};

type Row = { id: string; cursorAt: string; sendStatus: string; subject: string; from: string; createdAt: string | Date; sentAt: string | Date | null; tags: EmailListItem['tags']; recipients: { email: string; kind: string; status: string }[] };

const encode = (createdAt: string, id: string) => encodeCursor(`${createdAt}|${id}`);
/** A malformed cursor reads as none: the first page. */
function decode(cursor: string | undefined): { at: string; id: string } | null {
  const [at, id] = decodeCursor(cursor).split('|');
  return at && id && !Number.isNaN(Date.parse(at)) && /^[0-9a-f-]{36}$/.test(id) ? { at, id } : null;
}

/** The tenant's transactional emails, newest first, a page at a time (keyset on created_at, id). */
export async function listEmails(deps: Pick<Deps, 'sql'>, tenantId: string, filter: EmailListFilter): Promise<{ items: EmailListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const after = decode(filter.cursor);
  const sql = deps.sql;
  const stage = filter.status && (SEND_STAGES as readonly string[]).includes(filter.status) ? filter.status : null;
  const outcome = filter.status && !stage ? filter.status : null;
  const rows = await sql<Row[]>`
    select e.id, e.status::text as "sendStatus", e.subject, e.from_address as from, e.created_at as "createdAt", e.created_at::text as "cursorAt", e.sent_at as "sentAt", e.tags,
      (select coalesce(jsonb_agg(jsonb_build_object('email', r.address, 'kind', r.kind, 'status', r.status) order by r.position), '[]')
       from email_recipients r where r.email_id = e.id) as recipients
    from emails e
    where e.tenant_id = ${tenantId}
      ${after ? sql`and (e.created_at, e.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
      ${filter.since ? sql`and e.created_at >= ${filter.since}::timestamptz` : sql``}
      ${filter.until ? sql`and e.created_at < ${filter.until}::timestamptz` : sql``}
      ${stage ? sql`and e.status = ${stage}::email_send_status` : sql``}
      ${outcome ? sql`and exists (select 1 from email_recipients r where r.email_id = e.id and r.status = ${outcome}::message_status)` : sql``}
      ${filter.recipient ? sql`and exists (select 1 from email_recipients r where r.email_id = e.id and lower(r.address) = ${filter.recipient.toLowerCase()})` : sql``}
      ${filter.tag ? sql`and e.tags @> ${JSON.stringify([filter.tag])}::jsonb` : sql``}
    order by e.created_at desc, e.id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      status: deriveEmailStatus(r.sendStatus, r.recipients.map((x) => x.status)),
      subject: r.subject,
      from: r.from,
      to: r.recipients.filter((x) => x.kind === 'to').map((x) => x.email),
      recipientCount: r.recipients.length,
      tags: r.tags,
      createdAt: new Date(r.createdAt).toISOString(),
      sentAt: r.sentAt ? new Date(r.sentAt).toISOString() : null,
    })),
    // The cursor keeps the database's full precision (microseconds); an ISO string would skip or repeat rows.
    nextCursor: rows.length > limit && last ? encode(last.cursorAt, last.id) : null,
  };
}
