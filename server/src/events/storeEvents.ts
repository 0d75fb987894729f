import type { Sql } from 'postgres';
import { shardOf } from './shards.js';

export type IncomingEvent = {
  snsMessageId: string;
  topicArn: string;
  accountId: string;
  eventType: string;
  sesMessageId: string;
  occurredAt: string;
  /** The SNS `Message` text, stored as jsonb. */
  payload: string;
};

/** `unknown-account`: no connected tenant has the topic's AWS account (any more). */
export type StoreOutcome = 'stored' | 'duplicate' | 'unknown-account';

/**
 * Stores verified events in one statement; the worker that drains each
 * shard takes them within a poll (eventDrain.ts). An event whose SNS
 * MessageId is already stored (a redelivery) is left alone. The tenant check
 * is part of the insert, so a tenant disconnecting at the same moment cannot
 * slip an event in.
 */
export async function storeEvents(sql: Sql, events: IncomingEvent[]): Promise<StoreOutcome[]> {
  // Distinct ids in one order: two concurrent batches holding the same redelivered ids in different
  // orders would otherwise wait on each other's unique-index entries and deadlock.
  const unique = new Map(events.map((e) => [e.snsMessageId, e]));
  const rows = [...unique.values()].sort((a, b) => (a.snsMessageId < b.snsMessageId ? -1 : 1)).map((e) => ({ ...e, shard: shardOf(e.sesMessageId) }));
  const stored = await sql<{ snsMessageId: string }[]>`
    insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, shard, payload)
    select r."snsMessageId", r."topicArn", r."accountId", r."eventType", r."sesMessageId", r."occurredAt", r.shard, r.payload::jsonb
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r("snsMessageId" text, "topicArn" text, "accountId" text,
      "eventType" text, "sesMessageId" text, "occurredAt" timestamptz, shard smallint, payload text)
    where exists (select 1 from tenant_channel_settings t where t.aws_account_id = r."accountId" and t.is_connected)
    on conflict (sns_message_id) do nothing
    returning sns_message_id as "snsMessageId"`;
  const inserted = new Set(stored.map((r) => r.snsMessageId));
  const notStored = events.filter((e) => !inserted.has(e.snsMessageId)).map((e) => e.snsMessageId);
  const known = notStored.length === 0 ? new Set<string>() : new Set(
    (await sql<{ id: string }[]>`select sns_message_id as id from message_events where sns_message_id = any(${notStored})`).map((r) => r.id),
  );
  // The first of several copies in one batch is the one stored; the others are its duplicates.
  const seen = new Set<string>();
  return events.map((e) => {
    const first = !seen.has(e.snsMessageId);
    seen.add(e.snsMessageId);
    if (inserted.has(e.snsMessageId)) return first ? 'stored' : 'duplicate';
    return known.has(e.snsMessageId) ? 'duplicate' : 'unknown-account';
  });
}
