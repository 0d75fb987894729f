import type { TransactionSql } from 'postgres';
import { METRICS_CHANNEL } from '../realtime/metricsChannel.js';
import type { Effect } from './eventEffects.js';

/** The merged effect of a batch's events on one message. */
export type MessageEffect = { messageId: string; tenantId: string; campaignId: string; sesMessageId: string; effect: Effect };

/**
 * Writes merged effects: milestones keep their earliest time, the status
 * follows from them by rank (message_status_by_milestones, migration 0009),
 * permanent bounces and complaints suppress the address for the tenant and
 * mark the contact, clicked links are counted per campaign, and each
 * touched campaign gets one small notification.
 * Rows are locked in id order first so two batches (or a batch and a sender
 * recording outcomes) meet in the same order.
 */
export async function applyEffects(tx: TransactionSql, items: MessageEffect[]): Promise<void> {
  if (items.length === 0) return;
  const rows = items.map(({ messageId, sesMessageId, effect: e }) => ({
    id: messageId,
    ses_id: sesMessageId,
    sent: e.sentAt,
    delivered: e.deliveredAt,
    opened: e.openedAt,
    clicked: e.clickedAt,
    bounced: e.bouncedAt,
    bounce_type: e.bounceType,
    complained: e.complainedAt,
    rejected: e.rejectedAt,
    opens: e.opens,
    clicks: e.clicks,
  }));
  await tx`select id from messages where id = any(${items.map((i) => i.messageId).sort()}::uuid[]) order by id for update`;
  await tx`
    update messages m set
      sent_at = least(m.sent_at, r.sent),
      delivered_at = least(m.delivered_at, r.delivered),
      opened_at = least(m.opened_at, r.opened),
      clicked_at = least(m.clicked_at, r.clicked),
      bounced_at = least(m.bounced_at, r.bounced),
      complained_at = least(m.complained_at, r.complained),
      rejected_at = least(m.rejected_at, r.rejected),
      bounce_type = case when bounce_rank(r.bounce_type) > bounce_rank(m.bounce_type) then r.bounce_type else m.bounce_type end,
      open_count = m.open_count + r.opens,
      click_count = m.click_count + r.clicks,
      provider_message_id = coalesce(m.provider_message_id, r.ses_id),
      status = message_status_by_milestones(m.status, least(m.sent_at, r.sent), least(m.delivered_at, r.delivered),
        least(m.opened_at, r.opened), least(m.clicked_at, r.clicked), least(m.bounced_at, r.bounced),
        least(m.complained_at, r.complained), least(m.rejected_at, r.rejected)),
      updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(id uuid, ses_id text, sent timestamptz, delivered timestamptz,
      opened timestamptz, clicked timestamptz, bounced timestamptz, bounce_type text, complained timestamptz, rejected timestamptz,
      opens int, clicks int)
    where m.id = r.id`;

  const suppress = items
    .filter((i) => i.effect.suppress !== null)
    .map((i) => ({ message_id: i.messageId, reason: i.effect.suppress, source: `ses:${i.sesMessageId}` }));
  if (suppress.length > 0) {
    // One row per address; a complaint outranks a bounce, a deliberate manual or unsubscribe entry stays
    // as it is, and the source kept is the least one, so the result does not depend on arrival order.
    await tx`
      insert into suppressions (tenant_id, email, reason, source)
      select distinct on (m.tenant_id, lower(m.to_address)) m.tenant_id, lower(m.to_address), r.reason::suppression_reason, r.source
      from jsonb_to_recordset(${JSON.stringify(suppress)}::text::jsonb) as r(message_id uuid, reason text, source text)
      join messages m on m.id = r.message_id
      order by m.tenant_id, lower(m.to_address), (r.reason = 'complaint') desc, r.source
      on conflict (tenant_id, email) do update set
        reason = case when suppressions.reason = 'bounce' and excluded.reason = 'complaint' then excluded.reason else suppressions.reason end,
        source = case
          when suppressions.reason = 'bounce' and excluded.reason = 'complaint' then excluded.source
          when suppressions.reason = excluded.reason then least(suppressions.source, excluded.source)
          else suppressions.source end`;
  }

  const contacts = items
    .filter((i) => i.effect.contactStatus !== null)
    .map((i) => ({ message_id: i.messageId, status: i.effect.contactStatus }));
  if (contacts.length > 0) {
    // Several messages of one batch may name the same contact: the strongest status wins.
    await tx`
      update contacts c set status = s.status, updated_at = now()
      from (
        select distinct on (m.contact_id) m.contact_id, m.tenant_id, lower(m.to_address) as email, r.status::contact_status as status
        from jsonb_to_recordset(${JSON.stringify(contacts)}::text::jsonb) as r(message_id uuid, status text)
        join messages m on m.id = r.message_id
        where m.contact_id is not null
        order by m.contact_id, contact_rank(r.status::contact_status) desc
      ) s
      where c.id = s.contact_id and c.tenant_id = s.tenant_id and c.email = s.email and contact_rank(c.status) < contact_rank(s.status)`;
  }

  await countLinkClicks(tx, items);

  const campaigns = [...new Set(items.map((i) => `${i.tenantId}:${i.campaignId}`))].sort();
  await tx`select pg_notify(${METRICS_CHANNEL}, c) from unnest(${campaigns}::text[]) c`;
}

/**
 * Per-link counts in one statement: every click adds to `clicks`, and a
 * (message, link) pair seen for the first time (message_link_clicks) adds a
 * recipient. Exact, because each SNS message is stored and applied once.
 * The messages are already locked by this batch, so two batches never race
 * on one pair; campaign_links rows are upserted in (campaign, url) order,
 * like the counter rows, so concurrent batches cannot deadlock on them.
 */
async function countLinkClicks(tx: TransactionSql, items: MessageEffect[]): Promise<void> {
  const clicks = items.flatMap((i) => i.effect.links.map((url) => ({ message_id: i.messageId, campaign_id: i.campaignId, tenant_id: i.tenantId, url })));
  if (clicks.length === 0) return;
  await tx`
    with clicks as (
      select * from jsonb_to_recordset(${JSON.stringify(clicks)}::text::jsonb) as r(message_id uuid, campaign_id uuid, tenant_id uuid, url text)
    ),
    first_clicks as (
      insert into message_link_clicks (message_id, url)
      select distinct message_id, url from clicks order by message_id, url
      on conflict do nothing
      returning message_id, url
    ),
    new_recipients as (
      select c.campaign_id, f.url, count(*) as n
      from first_clicks f join (select distinct message_id, campaign_id from clicks) c on c.message_id = f.message_id
      group by 1, 2
    )
    insert into campaign_links (campaign_id, tenant_id, url, clicks, recipients)
    select c.campaign_id, c.tenant_id, c.url, count(*), coalesce(max(n.n), 0)
    from clicks c left join new_recipients n on n.campaign_id = c.campaign_id and n.url = c.url
    group by c.campaign_id, c.tenant_id, c.url
    order by c.campaign_id, c.url
    on conflict (campaign_id, url) do update set
      clicks = campaign_links.clicks + excluded.clicks,
      recipients = campaign_links.recipients + excluded.recipients`;
}
