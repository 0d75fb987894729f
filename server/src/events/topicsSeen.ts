import type { Sql } from 'postgres';

/** The newest event a batch had from one SNS topic. */
export type TopicSeen = { topic_arn: string; account: string; at: string };

/** Per topic, the newest of the events (sorted by topic, so concurrent batches touch rows in one order). */
export function latestPerTopic(events: { topicArn: string; accountId: string; receivedAt: string }[]): TopicSeen[] {
  const topics = new Map<string, TopicSeen>();
  for (const e of events) {
    const seen = topics.get(e.topicArn);
    if (!seen || seen.at < e.receivedAt) topics.set(e.topicArn, { topic_arn: e.topicArn, account: e.accountId, at: e.receivedAt });
  }
  return [...topics.values()].sort((a, b) => a.topic_arn.localeCompare(b.topic_arn));
}

/**
 * When each topic last brought an event (event health picks the newest topic by it). After the
 * batch's commit and at most every TOPIC_TOUCH_SECONDS per topic: every batch of every shard names the
 * same few topic rows, and updating one inside the batch made all shards wait for each other's commits
 * while holding their message rows. The filter reads without a lock, so a fresh row costs no wait.
 */
const TOPIC_TOUCH_SECONDS = 10;

export async function touchTopics(sql: Sql, topics: TopicSeen[]): Promise<void> {
  if (topics.length === 0) return;
  await sql`
    insert into sns_topics (topic_arn, aws_account_id, last_event_at)
    select topic_arn, account, at from jsonb_to_recordset(${JSON.stringify(topics)}::text::jsonb) as r(topic_arn text, account text, at timestamptz)
    where not exists (
      select 1 from sns_topics s where s.topic_arn = r.topic_arn and s.last_event_at > r.at - make_interval(secs => ${TOPIC_TOUCH_SECONDS}))
    on conflict (topic_arn) do update set last_event_at = greatest(sns_topics.last_event_at, excluded.last_event_at), updated_at = now()`;
}
