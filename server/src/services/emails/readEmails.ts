import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { deriveEmailStatus, type EmailStatus } from './emailStatus.js';

type Time = string | Date;
const iso = (t: Time | null) => (t == null ? null : new Date(t).toISOString());

export type EmailRecipientView = {
  email: string;
  kind: 'to' | 'cc' | 'bcc';
  status: string;
  reason: string | null;
  bounceType: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  bouncedAt: string | null;
  complainedAt: string | null;
};

export type EmailDetail = {
  id: string;
  status: EmailStatus;
  sendStatus: string;
  from: { address: string; name: string | null };
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  template: { id: string | null; version: number } | null;
  tags: { name: string; value: string }[];
  headers: Record<string, string>;
  attachments: { filename: string; contentType: string; size: number }[];
  /** Bytes of the MIME message; null until it is built for sending. */
  size: number | null;
  heldReason: string | null;
  lastError: string | null;
  providerMessageId: string | null;
  scheduledAt: string | null;
  createdAt: string;
  sentAt: string | null;
  recipients: EmailRecipientView[];
  timeline: { type: string; at: string; recipients: string[] | null }[];
};

/** One transactional email of the tenant, its recipients and every SES event about it, oldest first. */
export async function getEmail(deps: Pick<Deps, 'sql'>, tenantId: string, id: string): Promise<EmailDetail> {
  const [e] = await deps.sql<Record<string, unknown>[]>`
    select id, status::text as "sendStatus", from_address, from_name, reply_to, subject, html, text, template_id, template_version, tags, headers,
      attachments, raw_size, held_reason, last_error, provider_message_id, scheduled_at, created_at, sent_at
    from emails where id = ${id} and tenant_id = ${tenantId}`;
  if (!e) throw new AppError('NOT_FOUND', 'No email with this id.');
  const recipients = await deps.sql<(EmailRecipientView & { reason: string | null })[]>`
    select address as email, kind::text as kind, status::text as status, suppression_reason as reason, bounce_type as "bounceType",
      delivered_at as "deliveredAt", opened_at as "openedAt", clicked_at as "clickedAt", bounced_at as "bouncedAt", complained_at as "complainedAt"
    from email_recipients where email_id = ${id} order by position`;
  const events = await deps.sql<{ type: string; at: Time; recipients: string[] | null }[]>`
    select event_type as type, coalesce(occurred_at, received_at) as at,
      coalesce(
        (select array_agg(x->>'emailAddress') from jsonb_array_elements(coalesce(payload->'bounce'->'bouncedRecipients', payload->'complaint'->'complainedRecipients')) x),
        (select array_agg(x) from jsonb_array_elements_text(payload->'delivery'->'recipients') x)
      ) as recipients
    from message_events where email_id = ${id} and tenant_id = ${tenantId}
    order by coalesce(occurred_at, received_at), id`;
  const templateId = e.template_id as string | null;
  const templateVersion = e.template_version as number | null;
  const views = recipients.map((r) => ({ ...r, deliveredAt: iso(r.deliveredAt), openedAt: iso(r.openedAt), clickedAt: iso(r.clickedAt), bouncedAt: iso(r.bouncedAt), complainedAt: iso(r.complainedAt) }));
  return {
    id: e.id as string,
    status: deriveEmailStatus(e.sendStatus as string, views.map((r) => r.status)),
    sendStatus: e.sendStatus as string,
    from: { address: e.from_address as string, name: e.from_name as string | null },
    replyTo: e.reply_to as string[],
    subject: e.subject as string,
    html: e.html as string | null,
    text: e.text as string | null,
    template: templateVersion !== null ? { id: templateId, version: templateVersion } : null,
    tags: e.tags as EmailDetail['tags'],
    headers: e.headers as Record<string, string>,
    attachments: e.attachments as EmailDetail['attachments'],
    size: e.raw_size as number | null,
    heldReason: e.held_reason as string | null,
    lastError: e.last_error as string | null,
    providerMessageId: e.provider_message_id as string | null,
    scheduledAt: iso(e.scheduled_at as Time | null),
    createdAt: iso(e.created_at as Time) as string,
    sentAt: iso(e.sent_at as Time | null),
    recipients: views,
    timeline: events.map((ev) => ({ type: ev.type, at: iso(ev.at) as string, recipients: ev.recipients })),
  };
}
