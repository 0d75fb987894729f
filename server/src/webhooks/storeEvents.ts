import type { Sql } from 'postgres';

/** Processing jobs (jobs/events__process.ts), one per shard: more spread the job-key upserts and the work. */
export const EVENT_SHARDS = 4;

export const eventsJobKeyPrefix = 'events__process:';
/**
 * How long a processing job waits for more events to gather before it runs:
 * long enough for batches (with no wait, CPU per event rose by half at
 * 2,000 events/s; bench/webhook), short enough for live metrics (an accepted
 * event should reach a browser within half a second; bench/metrics).
 */
export const JOB_DELAY_MS = 100;

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

export const shardOf = (snsMessageId: string): number => {
  let hash = 0;
  for (let i = 0; i < snsMessageId.length; i += 1) hash = (hash * 31 + snsMessageId.charCodeAt(i)) | 0;
  return Math.abs(hash) % EVENT_SHARDS;
};

/**
 * Stores verified events and enqueues their processing in one transaction:
 * once this commits, every stored event will be processed, and an event
 * whose SNS MessageId is already stored (a redelivery) is left alone. The
 * tenant check is part of the insert, so a tenant disconnecting at the same
 * moment cannot slip an event in.
 */
export async function storeEvents(sql: Sql, events: IncomingEvent[]): Promise<StoreOutcome[]> {
  let newJobs = 0;
  // Distinct ids in one order: two concurrent batches holding the same redelivered ids in different
  // orders would otherwise wait on each other's unique-index entries and deadlock.
  const unique = new Map(events.map((e) => [e.snsMessageId, e]));
  const rows = [...unique.values()].sort((a, b) => (a.snsMessageId < b.snsMessageId ? -1 : 1)).map((e) => ({ ...e, shard: shardOf(e.snsMessageId) }));
  const inserted = await sql.begin(async (tx) => {
    const stored = await tx<{ snsMessageId: string; shard: number }[]>`
      insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, shard, payload)
      select r."snsMessageId", r."topicArn", r."accountId", r."eventType", r."sesMessageId", r."occurredAt", r.shard, r.payload::jsonb
      from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r("snsMessageId" text, "topicArn" text, "accountId" text,
        "eventType" text, "sesMessageId" text, "occurredAt" timestamptz, shard smallint, payload text)
      where exists (select 1 from tenant_channel_settings t where t.aws_account_id = r."accountId" and t.is_connected)
      on conflict (sns_message_id) do nothing
      returning sns_message_id as "snsMessageId", shard`;
    const shards = [...new Set(stored.map((r) => r.shard))].sort();
    if (shards.length > 0) {
      // One waiting job per shard, run a moment later so it takes a full batch instead of a few
      // events (preserve_run_at: a flood does not keep pushing it back). A running job normally gets
      // a successor, but graphile-worker can drop that request while a worker is locking the job
      // (graphile/worker#580): events/pendingSweep.ts catches such stranded events within seconds.
      const jobs = await tx<{ revision: number }[]>`
        select j.revision from unnest(${shards}::int[]) s,
          lateral graphile_worker.add_job('events__process', json_build_object('shard', s), job_key := ${eventsJobKeyPrefix} || s,
            run_at := now() + make_interval(secs => ${JOB_DELAY_MS / 1000}), job_key_mode := 'preserve_run_at') j`;
      newJobs = jobs.filter((j) => j.revision === 0).length;
    }
    return new Set(stored.map((r) => r.snsMessageId));
  });
  if (newJobs > 0) wakeWorkersWhenDue(sql, newJobs);
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

/**
 * graphile-worker announces a new job on `jobs:insert` when it is added, not
 * when it becomes due: idle workers look at once, find nothing runnable yet,
 * and look again only at their next poll (up to a second later), which made
 * processing start up to a second late. So the job is announced again the
 * moment it is due (its run_at is the transaction's start + the delay, before
 * this commit-time timer). A lost wake-up only costs that poll.
 */
function wakeWorkersWhenDue(sql: Sql, jobs: number) {
  setTimeout(() => {
    sql`select pg_notify('jobs:insert', ${JSON.stringify({ count: jobs })})`.catch(() => undefined);
  }, JOB_DELAY_MS).unref();
}
