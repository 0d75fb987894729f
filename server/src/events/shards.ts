/** Processing jobs (jobs/events__process.ts), one per shard: more spread the job-key upserts and the work. */
export const EVENT_SHARDS = 4;

export const shardOf = (snsMessageId: string): number => {
  let hash = 0;
  for (let i = 0; i < snsMessageId.length; i += 1) hash = (hash * 31 + snsMessageId.charCodeAt(i)) | 0;
  return Math.abs(hash) % EVENT_SHARDS;
};

/** One waiting processing job per shard: a job added for a shard that has one joins it. */
export const eventsJobKey = (shard: number) => `events__process:${shard}`;
