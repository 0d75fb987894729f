/**
 * Shards of pending SES events, each drained by one worker process at a time (eventDrain.ts). Two, not more:
 * each shard costs a batch per poll however few its events, and at the event rates of campaigns that fixed cost
 * was most of Postgres's work. Measured 2026-12-07 (docs/benchmarks.md, scale-out, when each shard was a job):
 * with four shards the scale-out's 14/s tenant got 16–21 % of its rate and no run finished in time, Postgres
 * using 0.8 of the 2 cores; with two, 20–31 % and three runs of four finished. Two batches still run side by side
 * when a flood fills them.
 */
export const EVENT_SHARDS = 2;

/**
 * The highest shard a processing job may name: events stored under an earlier, larger shard count keep their
 * number until processed; no worker drains such a shard, so the workers' sweep (pendingSweep.ts) queues its job.
 */
export const MAX_EVENT_SHARD = 63;

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

/** One waiting processing job per shard (queued by the sweep): a job added for a shard that has one joins it. */
export const eventsJobKey = (shard: number) => `events__process:${shard}`;
