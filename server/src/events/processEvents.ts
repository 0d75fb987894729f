import type { TransactionSql } from 'postgres';
import { guardTenants } from '../services/reputation/guard.js';
import type { Deps } from '../deps.js';
import { heraldEmailId, heraldMessageId, heraldTestSendId, namedRecipients, parseSesEvent } from './sesEvent.js';
import { applyEmailEvents } from './emailEffects.js';
import { effectOf, mergeEffects, type Effect } from './eventEffects.js';
import { applyEffects, type MessageEffect } from './applyEffects.js';
import type { ProcessedCounts } from '../metrics/eventMetrics.js';
import { reopenMatchedOrphans } from './earlyEvents.js';
import { latestPerTopic, touchTopics, type TopicSeen } from './topicsSeen.js';

type PendingEvent = {
  id: string;
  snsMessageId: string;
  accountId: string;
  topicArn: string;
  sesMessageId: string;
  receivedAt: string;
  waitedSeconds: number;
  /** Processed before, as an orphan, and handed back once its SES message id was known (earlyEvents.ts). */
  reopened: boolean;
  payload: unknown;
};
type Match = { eventId: string; messageId: string; tenantId: string; campaignId: string };

/**
 * Processes up to `limit` pending events of one shard in one transaction:
 * finds the Herald messages each names (by SES MessageId within the topic
 * account's tenants, or by Herald's message-id tag, which is what resolves
 * an `unknown` send), merges their effects per message, and applies them.
 * Events that name no message are kept as orphans. Once the batch is
 * committed, the reputation guard looks at the tenants it gave hard bounces
 * or complaints (their counters are current by then). Returns how many
 * events it took.
 */
export async function processEventBatch(deps: Pick<Deps, 'sql' | 'logger' | 'env' | 'metrics'>, shard: number, limit: number): Promise<number> {
  const { taken, counts, reputationTenants, orphans, waitedSeconds, topics } = await processWithRetry(deps, shard, limit);
  // Counted as soon as committed (a batch rolled back and taken again is counted once), before anything else
  // is awaited: whoever sees the events' new state in the database sees them counted too.
  deps.metrics.events.processed(counts, waitedSeconds);
  // After the commit: a sender that wrote one of these SES ids meanwhile may have looked for orphans too early (earlyEvents.ts).
  const newOrphans = orphans.filter((o) => !o.reopened).map((o) => o.id);
  if (newOrphans.length > 0) await reopenMatchedOrphans(deps.sql, newOrphans);
  await touchTopics(deps.sql, topics);
  // Events naming nothing Herald sent: SES's own ids say which, for a search in the SES console.
  if (orphans.length > 0 && deps.logger.isLevelEnabled('debug')) for (const o of orphans) deps.logger.debug({ shard, snsMessageId: o.snsMessageId, sesMessageId: o.sesMessageId }, 'SES event names no Herald message: kept as orphan');
  await guardTenants(deps, reputationTenants);
  return taken;
}

async function processWithRetry(deps: Pick<Deps, 'sql' | 'logger'>, shard: number, limit: number): Promise<BatchResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.sql.begin((tx) => processInTransaction(tx, deps.logger, shard, limit));
    } catch (err) {
      // Senders recording outcomes lock the same messages in their own order; a deadlock rolls back
      // the whole batch, which is then simply taken again.
      if (attempt >= 3 || (err as { code?: string }).code !== '40P01') throw err;
    }
  }
}

type BatchResult = {
  taken: number;
  counts: ProcessedCounts;
  reputationTenants: string[];
  orphans: { id: string; snsMessageId: string; sesMessageId: string; reopened: boolean }[];
  waitedSeconds: number[];
  topics: TopicSeen[];
};

async function processInTransaction(tx: TransactionSql, logger: Deps['logger'], shard: number, limit: number): Promise<BatchResult> {
  // No fsync wait at commit: these rows are locked until the commit returns, and senders recording
  // outcomes wait for them. Safe, because the events' own state changes in this transaction: a crash
  // that forgets the commit leaves them pending, and they are applied again (each exactly once).
  await tx`set local synchronous_commit = off`;
  const events = await tx<PendingEvent[]>`
    select id, sns_message_id as "snsMessageId", aws_account_id as "accountId", topic_arn as "topicArn", ses_message_id as "sesMessageId",
      received_at::text as "receivedAt", extract(epoch from clock_timestamp() - received_at)::float8 as "waitedSeconds",
      processed_at is not null as reopened, payload
    from message_events where state = 'pending' and shard = ${shard}
    order by received_at limit ${limit}
    for update skip locked`;
  if (events.length === 0) return { taken: 0, counts: { applied: 0, orphans: 0, rematched: 0 }, reputationTenants: [], orphans: [], waitedSeconds: [], topics: [] };

  const effects = new Map<string, Effect>();
  const lookups = [];
  for (const e of events) {
    const parsed = parseSesEvent(e.payload);
    // Stored events were validated on arrival; one that no longer parses (a schema change) stays an orphan.
    if (!parsed.ok) {
      logger.warn({ eventId: e.id, snsMessageId: e.snsMessageId, sesMessageId: e.sesMessageId, error: parsed.error }, 'stored SES event no longer parses');
      continue;
    }
    effects.set(e.id, effectOf(parsed.event));
    lookups.push({
      event_id: e.id,
      account: e.accountId,
      ses_id: e.sesMessageId,
      herald_id: heraldMessageId(parsed.event),
      test_id: heraldTestSendId(parsed.event),
      email_id: heraldEmailId(parsed.event),
      recipients: namedRecipients(parsed.event),
    });
  }

  const matches = lookups.length === 0 ? [] : await tx<Match[]>`
    with e as (
      select * from jsonb_to_recordset(${JSON.stringify(lookups)}::text::jsonb)
        as e(event_id uuid, account text, ses_id text, herald_id uuid, recipients text[])
    ),
    tenants as (
      select distinct e.account, t.tenant_id from e join tenant_channel_settings t on t.aws_account_id = e.account and t.is_connected
    ),
    found as (
      select e.event_id, e.recipients, m.id, m.tenant_id, m.campaign_id, m.to_address
      from e join tenants t on t.account = e.account
      join messages m on m.tenant_id = t.tenant_id and m.provider_message_id = e.ses_id
      union
      select e.event_id, e.recipients, m.id, m.tenant_id, m.campaign_id, m.to_address
      from e join messages m on m.id = e.herald_id
      join tenants t on t.account = e.account and t.tenant_id = m.tenant_id
      where m.provider_message_id is null or m.provider_message_id = e.ses_id
    )
    select event_id as "eventId", id as "messageId", tenant_id as "tenantId", campaign_id as "campaignId"
    from found where recipients is null or lower(to_address) = any(recipients)`;

  const sesIdOf = new Map(events.map((e) => [e.id, e.sesMessageId]));
  const perMessage = new Map<string, MessageEffect>();
  for (const m of matches) {
    const effect = effects.get(m.eventId) as Effect;
    const sesMessageId = sesIdOf.get(m.eventId) as string;
    const current = perMessage.get(m.messageId);
    perMessage.set(m.messageId, current
      ? { ...current, effect: mergeEffects(current.effect, effect) }
      : { messageId: m.messageId, tenantId: m.tenantId, campaignId: m.campaignId, sesMessageId, effect });
  }
  await applyEffects(tx, [...perMessage.values()]);

  // An event naming several messages links to one of them (the first by id); all of them were updated.
  const linked = new Map<string, Match>();
  for (const m of [...matches].sort((a, b) => a.messageId.localeCompare(b.messageId))) if (!linked.has(m.eventId)) linked.set(m.eventId, m);
  const tests = await matchTestSends(tx, lookups.filter((l) => !linked.has(l.event_id)));
  const emails = await applyEmailEvents(tx, lookups.filter((l) => !linked.has(l.event_id) && !tests.has(l.event_id)), effects);
  const marks = events.map((e) => ({
    id: e.id,
    message_id: linked.get(e.id)?.messageId ?? null,
    test_send_id: tests.get(e.id)?.testSendId ?? null,
    email_id: emails.get(e.id)?.emailId ?? null,
    tenant_id: linked.get(e.id)?.tenantId ?? tests.get(e.id)?.tenantId ?? emails.get(e.id)?.tenantId ?? null,
  }));
  await tx`
    update message_events me set state = (case when r.tenant_id is null then 'orphan' else 'applied' end)::event_state,
      message_id = r.message_id, test_send_id = r.test_send_id, email_id = r.email_id, tenant_id = r.tenant_id, processed_at = now()
    from jsonb_to_recordset(${JSON.stringify(marks)}::text::jsonb) as r(id uuid, message_id uuid, test_send_id uuid, email_id uuid, tenant_id uuid)
    where me.id = r.id`;

  // SES's bounce rate counts permanent bounces only; a transient one cannot move the guard.
  const hurt = (effect: Effect | undefined) => effect?.bounceType === 'Permanent' || (effect?.complainedAt ?? null) !== null;
  const reputationTenants = [
    ...[...perMessage.values()].filter((m) => hurt(m.effect)).map((m) => m.tenantId),
    ...[...emails].filter(([eventId]) => hurt(effects.get(eventId))).map(([, m]) => m.tenantId),
  ];
  const isOrphan = events.map((_, i) => marks[i]?.tenant_id === null);
  const orphans = events.filter((_, i) => isOrphan[i]).map((e) => ({ id: e.id, snsMessageId: e.snsMessageId, sesMessageId: e.sesMessageId, reopened: e.reopened }));
  // A reopened event was counted (and its wait observed) when it became an orphan: now it is only a rematch, or nothing new.
  const counts = { applied: 0, orphans: 0, rematched: 0 };
  for (const [i, e] of events.entries()) {
    if (!e.reopened) counts[isOrphan[i] ? 'orphans' : 'applied'] += 1;
    else if (!isOrphan[i]) counts.rematched += 1;
  }
  const waitedSeconds = events.filter((e) => !e.reopened).map((e) => Math.max(0, e.waitedSeconds));
  return { taken: events.length, counts, reputationTenants, orphans, waitedSeconds, topics: latestPerTopic(events) };
}

type Lookup = { event_id: string; account: string; ses_id: string; test_id: string | null };

/**
 * Events about Herald's test emails (test_sends), by their `herald_test` tag
 * or SES MessageId within the topic account's tenants. They are linked and
 * have no effect: no campaign counter, no suppression, no reputation.
 */
async function matchTestSends(tx: TransactionSql, lookups: Lookup[]): Promise<Map<string, { testSendId: string; tenantId: string }>> {
  if (lookups.length === 0) return new Map();
  const rows = await tx<{ eventId: string; testSendId: string; tenantId: string }[]>`
    with e as (
      select * from jsonb_to_recordset(${JSON.stringify(lookups.map(({ event_id, account, ses_id, test_id }) => ({ event_id, account, ses_id, test_id })))}::text::jsonb)
        as e(event_id uuid, account text, ses_id text, test_id uuid)
    )
    select distinct on (e.event_id) e.event_id as "eventId", ts.id as "testSendId", ts.tenant_id as "tenantId"
    from e
    join tenant_channel_settings t on t.aws_account_id = e.account and t.is_connected
    join test_sends ts on ts.tenant_id = t.tenant_id and (ts.id = e.test_id or ts.provider_message_id = e.ses_id)
    order by e.event_id, ts.id`;
  return new Map(rows.map((r) => [r.eventId, r]));
}
