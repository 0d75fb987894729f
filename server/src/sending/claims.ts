import type { Sql } from 'postgres';
import { writePatiently } from '../db/patience.js';
import { reopenEarlyEvents } from '../events/earlyEvents.js';

/** A message this sender now holds (`sending`), with what rendering needs. */
export type ClaimedMessage = {
  id: string;
  contactId: string;
  toAddress: string;
  attempts: number;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string>;
};

export type ClaimInput = { campaignId: string; count: number; claimToken: string; leaseMs: number };

/**
 * Takes up to `count` due queued messages of a sending campaign
 * (`queued → sending`) in one statement. SKIP LOCKED lets any number of
 * senders claim side by side without waiting on each other. Suppression is
 * checked again right here, at the last moment before the send: a contact
 * who unsubscribed, bounced or complained since the fan-out, or whose
 * address was suppressed, is recorded `suppressed` instead of claimed.
 * Nothing is claimed unless the campaign is still `sending`.
 */
export async function claimMessages(sql: Sql, input: ClaimInput): Promise<{ claimed: ClaimedMessage[]; skipped: number }> {
  const rows = await sql<(ClaimedMessage & { status: string })[]>`
    with picked as (
      select m.id from messages m
      where m.campaign_id = ${input.campaignId} and m.status = 'queued'
        and (m.next_attempt_at is null or m.next_attempt_at <= now())
        and exists (select 1 from campaigns c where c.id = ${input.campaignId} and c.status = 'sending')
      order by m.id
      limit ${input.count}
      for update of m skip locked
    ),
    checked as (
      select p.id, c.first_name, c.last_name, c.attributes, c.status as contact_status,
        (select s.reason::text from suppressions s where s.tenant_id = m.tenant_id and s.email = m.to_address) as suppression
      from picked p
      join messages m on m.id = p.id
      left join contacts c on c.id = m.contact_id
    )
    update messages m set
      status = case when ch.contact_status is distinct from 'subscribed' or ch.suppression is not null
        then 'suppressed'::message_status else 'sending'::message_status end,
      suppression_reason = case
        when ch.contact_status is null then 'contact deleted'
        when ch.contact_status <> 'subscribed' then ch.contact_status::text
        when ch.suppression is not null then 'suppressed: ' || ch.suppression
      end,
      claim_token = ${input.claimToken},
      lease_until = now() + make_interval(secs => ${input.leaseMs / 1000}),
      sending_at = now(),
      updated_at = now()
    from checked ch
    where m.id = ch.id
    returning m.id, m.status, m.contact_id as "contactId", m.to_address as "toAddress", m.attempts,
      ch.first_name as "firstName", ch.last_name as "lastName", coalesce(ch.attributes, '{}'::jsonb) as attributes`;
  const claimed = rows.filter((r) => r.status === 'sending').map(({ status: _status, ...m }) => m);
  return { claimed, skipped: rows.length - claimed.length };
}

/** What became of one claimed message. */
export type Outcome =
  | { id: string; status: 'sent'; providerMessageId: string }
  /** Back to the queue: never sent (released, throttled, account problem) or a transient failure to retry. */
  | { id: string; status: 'queued'; attemptSpent: boolean; retryInMs: number; error: string | null }
  | { id: string; status: 'failed' | 'unknown'; attemptSpent: boolean; error: string };

/**
 * Records outcomes in one statement. Only the claim's holder may: if
 * recovery already marked the message `unknown` (this sender was slow, not
 * dead), what the sender actually learned still wins. A message handed back
 * to the queue of a campaign cancelled meanwhile is `cancelled` instead: the
 * cancel only saw the messages that were queued at that moment.
 */
export async function recordOutcomes(sql: Sql, claimToken: string, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // These outcomes may describe emails SES already accepted: losing them to a transient database
  // conflict would leave them `unknown`, so a deadlock or serialization failure is tried again, and
  // a database that restarts or drops off for a while is waited for. The claim token stays valid
  // after the lease: an outcome written late still replaces the `unknown` recovery gave meanwhile.
  await writePatiently(async () => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await writeOutcomes(sql, claimToken, outcomes);
        break;
      } catch (err) {
        if (attempt >= 3 || !isRetryableConflict(err)) throw err;
      }
    }
    // After the commit, not in it (earlyEvents.ts). Run again with the write if it fails: the write then changes nothing.
    const providerIds = outcomes.flatMap((o) => (o.status === 'sent' ? [o.providerMessageId] : []));
    if (providerIds.length > 0) await reopenEarlyEvents(sql, providerIds);
  }, OUTCOME_PATIENCE_MS);
}

/**
 * A claim statement that failed without an answer (the connection dropped) may have committed:
 * its messages would sit `sending` under a token no one holds and end `unknown`, though nothing of
 * them reached SES. The token proves it, so they go back to the queue as soon as the database
 * answers again (also if recovery marked them `unknown` meanwhile). Returns how many.
 */
export async function releaseUnansweredClaim(sql: Sql, claimToken: string): Promise<number> {
  const rows = await writePatiently(
    () => sql`
      update messages set status = 'queued', claim_token = null, lease_until = null, last_error = null, updated_at = now()
      where claim_token = ${claimToken} and status in ('sending', 'unknown') and sent_at is null
      returning id`,
    OUTCOME_PATIENCE_MS,
  );
  return rows.length;
}

/** How long a sender keeps trying to record what SES answered while the database is unreachable. */
export const OUTCOME_PATIENCE_MS = 3 * 60_000;


const isRetryableConflict = (err: unknown) => {
  const code = (err as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
};

async function writeOutcomes(sql: Sql, claimToken: string, outcomes: Outcome[]): Promise<void> {
  const rows = outcomes.map((o) => ({
    id: o.id,
    status: o.status,
    provider_id: o.status === 'sent' ? o.providerMessageId : null,
    error: o.status === 'sent' ? null : o.error,
    spent: o.status !== 'sent' && o.attemptSpent ? 1 : 0,
    retry_ms: o.status === 'queued' ? Math.round(o.retryInMs) : null,
  }));
  // An SES event may have beaten the outcome here (the simulator posts events right after accepting;
  // Send events carry the message's id as a tag): a message with a milestone already was accepted by
  // SES, whatever this sender believes, and keeps the status its milestones give it.
  // A message handed back to the queue must see a cancel: its campaign rows are read with FOR SHARE, so a
  // cancel committing while this runs is waited for and seen (a plain join would read the campaign as the
  // statement found it, and a message handed back just after the cancel's own update would stay `queued`
  // for good). Only then: every lane of a campaign share-locking its one row on every batch makes Postgres
  // build a multixact each time, which was most of the database's work per email at full speed.
  // The campaign is locked before any message (`locked` reads `c` first, whatever join order the planner
  // picks): a cancel holds its campaign while its update waits for any lock on the queued messages it
  // meets, so taking a message first and the campaign second could deadlock with it.
  const requeues = rows.some((r) => r.status === 'queued');
  const ids = rows.map((r) => r.id).sort();
  const campaigns = requeues
    ? sql`c as materialized (
        select id, status from campaigns
        where id in (select campaign_id from messages where id = any(${ids}::uuid[]))
        for share
      ),`
    : sql``;
  // Rows are locked in id order before any is updated, as event batches lock them (applyEffects.ts): an
  // update in the order of the outcomes deadlocked with them, and a sender losing that race three times
  // left its batch `unknown`. `all_locked` has one row only once every lock is held, and the update
  // needs that row before it can change anything.
  await sql`
    with ${campaigns}
    locked as materialized (
      select id from messages where id = any(${ids}::uuid[]) ${requeues ? sql`and (select count(*) from c) >= 0` : sql``}
      order by id for update
    ),
    all_locked as materialized (select count(*) from locked)
    update messages m set
      status = case
        when o.status = 'sent' or m.sent_at is not null then message_status_by_milestones('sent', coalesce(m.sent_at, now()),
          m.delivered_at, m.opened_at, m.clicked_at, m.bounced_at, m.complained_at, m.rejected_at)
        ${requeues ? sql`when o.status = 'queued' and c.status = 'cancelled' then 'cancelled'` : sql``}
        else o.status::message_status end,
      provider_message_id = coalesce(o.provider_id, m.provider_message_id),
      attempts = m.attempts + o.spent,
      last_error = o.error,
      next_attempt_at = case when o.retry_ms is null then null else now() + make_interval(secs => o.retry_ms / 1000.0) end,
      sent_at = case when o.status = 'sent' then coalesce(m.sent_at, now()) else m.sent_at end,
      failed_at = case when o.status = 'failed' and m.sent_at is null then now() else m.failed_at end,
      claim_token = null,
      lease_until = null,
      updated_at = now()
    from all_locked, jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
      as o(id uuid, status text, provider_id text, error text, spent int, retry_ms int)
      ${requeues ? sql`, c` : sql``}
    where m.id = o.id and m.claim_token = ${claimToken} ${requeues ? sql`and c.id = m.campaign_id` : sql``}
      and (m.status in ('sending', 'unknown') or m.sent_at is not null)`;
}
