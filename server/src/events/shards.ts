/** Processing jobs (jobs/events__process.ts), one per shard: more spread the job-key upserts and the work. */
export const EVENT_SHARDS = 4;

/**
 * Every event of one email (Send, Delivery, Open, Click…, each its own SNS message) goes to the shard
 * its SES MessageId names: batches of different shards then never lock the same message rows. Sharded
 * by SNS MessageId, a Delivery and an Open of one email were applied by two shards at once, and each
 * batch waited for the other's commit while holding its own rows (bench/scale-out: most of the database's
 * time was such waits, and senders recording outcomes queued behind them).
 */
export const shardOf = (sesMessageId: string): number => {
  let hash = 0;
  for (let i = 0; i < sesMessageId.length; i += 1) hash = (hash * 31 + sesMessageId.charCodeAt(i)) | 0;
  return Math.abs(hash) % EVENT_SHARDS;
};

/** One waiting processing job per shard: a job added for a shard that has one joins it. */
export const eventsJobKey = (shard: number) => `events__process:${shard}`;
