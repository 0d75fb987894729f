import type { TransactionSql } from 'postgres';
import { mergeEffects, type Effect } from './eventEffects.js';

export type EmailLookup = { event_id: string; account: string; ses_id: string; email_id: string | null; recipients: string[] | null };
export type EmailMatch = { emailId: string; tenantId: string };

type Found = { eventId: string; emailId: string; tenantId: string; address: string; recipientId: string };

/**
 * Events about transactional emails (emails.send), found by the
 * `herald_email` tag or the SES MessageId within the topic account's
 * tenants. Each event applies to the recipients it names (all of the
 * email's sent recipients when it names none, as opens and clicks do):
 * milestones merge as for campaign messages, a permanent bounce or a
 * complaint suppresses the address for the tenant and marks its contact.
 */
export async function applyEmailEvents(tx: TransactionSql, lookups: EmailLookup[], effects: Map<string, Effect>): Promise<Map<string, EmailMatch>> {
  if (lookups.length === 0) return new Map();
  const found = await tx<Found[]>`
    with e as (
      select * from jsonb_to_recordset(${JSON.stringify(lookups)}::text::jsonb)
        as e(event_id uuid, account text, ses_id text, email_id uuid, recipients text[])
    ),
    matched as (
      select distinct on (e.event_id) e.event_id, e.recipients, m.id as email_id, m.tenant_id
      from e
      join tenant_channel_settings t on t.aws_account_id = e.account and t.is_connected
      join emails m on m.tenant_id = t.tenant_id and (m.id = e.email_id or m.provider_message_id = e.ses_id)
      where m.provider_message_id is null or m.provider_message_id = e.ses_id
      order by e.event_id, m.id
    )
    select m.event_id as "eventId", m.email_id as "emailId", m.tenant_id as "tenantId", r.address, r.id as "recipientId"
    from matched m join email_recipients r on r.email_id = m.email_id and r.status <> 'suppressed'
    where m.recipients is null or lower(r.address) = any(m.recipients)
    order by r.id`;
  if (found.length === 0) return new Map();

  const perRecipient = new Map<string, { recipientId: string; tenantId: string; address: string; effect: Effect; sesId: string }>();
  const sesIds = new Map(lookups.map((l) => [l.event_id, l.ses_id]));
  for (const f of found) {
    const effect = effects.get(f.eventId);
    if (!effect) continue;
    const current = perRecipient.get(f.recipientId);
    perRecipient.set(f.recipientId, current
      ? { ...current, effect: mergeEffects(current.effect, effect) }
      : { recipientId: f.recipientId, tenantId: f.tenantId, address: f.address, effect, sesId: sesIds.get(f.eventId) ?? '' });
  }
  const items = [...perRecipient.values()];
  const rows = items.map(({ recipientId, effect: e }) => ({
    id: recipientId, sent: e.sentAt, delivered: e.deliveredAt, opened: e.openedAt, clicked: e.clickedAt, bounced: e.bouncedAt,
    bounce_type: e.bounceType, complained: e.complainedAt, rejected: e.rejectedAt, opens: e.opens, clicks: e.clicks,
  }));
  await tx`select id from email_recipients where id = any(${items.map((i) => i.recipientId).sort()}::uuid[]) order by id for update`;
  await tx`
    update email_recipients m set
      sent_at = least(m.sent_at, r.sent), delivered_at = least(m.delivered_at, r.delivered), opened_at = least(m.opened_at, r.opened),
      clicked_at = least(m.clicked_at, r.clicked), bounced_at = least(m.bounced_at, r.bounced), complained_at = least(m.complained_at, r.complained),
      rejected_at = least(m.rejected_at, r.rejected),
      bounce_type = case when bounce_rank(r.bounce_type) > bounce_rank(m.bounce_type) then r.bounce_type else m.bounce_type end,
      open_count = m.open_count + r.opens, click_count = m.click_count + r.clicks,
      status = message_status_by_milestones(m.status, least(m.sent_at, r.sent), least(m.delivered_at, r.delivered),
        least(m.opened_at, r.opened), least(m.clicked_at, r.clicked), least(m.bounced_at, r.bounced),
        least(m.complained_at, r.complained), least(m.rejected_at, r.rejected)),
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(id uuid, sent timestamptz, delivered timestamptz,
      opened timestamptz, clicked timestamptz, bounced timestamptz, bounce_type text, complained timestamptz, rejected timestamptz,
      opens int, clicks int)
    where m.id = r.id`;

  // Any event proves SES took the email: an `unknown` send is settled as sent.
  const emailIds = [...new Set(found.map((f) => f.emailId))].sort();
  await tx`
    update emails e set status = 'sent', sent_at = coalesce(e.sent_at, now()), updated_at = now(),
      provider_message_id = coalesce(e.provider_message_id, l.ses_id)
    from (select distinct on (f.email_id) f.email_id, f.ses_id from jsonb_to_recordset(${JSON.stringify(found.map((f) => ({ email_id: f.emailId, ses_id: sesIds.get(f.eventId) })))}::text::jsonb)
      as f(email_id uuid, ses_id text) order by f.email_id) l
    where e.id = l.email_id and e.id = any(${emailIds}::uuid[]) and e.status in ('unknown', 'sending')`;

  await suppress(tx, items.filter((i) => i.effect.suppress !== null).map((i) => ({ tenant_id: i.tenantId, email: i.address.toLowerCase(), reason: i.effect.suppress, source: `ses:${i.sesId}`, contact_status: i.effect.contactStatus })));
  return new Map(found.map((f) => [f.eventId, { emailId: f.emailId, tenantId: f.tenantId }]));
}

type Suppression = { tenant_id: string; email: string; reason: string | null; source: string; contact_status: string | null };

/** The same rules as campaign events (applyEffects.ts): a complaint outranks a bounce; manual and unsubscribe entries stay. */
async function suppress(tx: TransactionSql, entries: Suppression[]): Promise<void> {
  if (entries.length === 0) return;
  await tx`
    insert into suppressions (tenant_id, email, reason, source)
    select distinct on (r.tenant_id, r.email) r.tenant_id, r.email, r.reason::suppression_reason, r.source
    from jsonb_to_recordset(${JSON.stringify(entries)}::text::jsonb) as r(tenant_id uuid, email text, reason text, source text)
    order by r.tenant_id, r.email, (r.reason = 'complaint') desc, r.source
    on conflict (tenant_id, email) do update set
      reason = case when suppressions.reason = 'bounce' and excluded.reason = 'complaint' then excluded.reason else suppressions.reason end,
      source = case
        when suppressions.reason = 'bounce' and excluded.reason = 'complaint' then excluded.source
        when suppressions.reason = excluded.reason then least(suppressions.source, excluded.source)
        else suppressions.source end`;
  await tx`
    update contacts c set status = s.status, updated_at = now()
    from (
      select distinct on (r.tenant_id, r.email) r.tenant_id, r.email, r.contact_status::contact_status as status
      from jsonb_to_recordset(${JSON.stringify(entries.filter((e) => e.contact_status))}::text::jsonb) as r(tenant_id uuid, email text, contact_status text)
      order by r.tenant_id, r.email, contact_rank(r.contact_status::contact_status) desc
    ) s
    where c.tenant_id = s.tenant_id and c.email = s.email and contact_rank(c.status) < contact_rank(s.status)`;
}
