import { EVENT_BATCH } from '../events/eventDrain.js';
import { processEventBatch } from '../events/processEvents.js';
import { eventsJobKey } from '../events/shards.js';
import { addJob } from '../queue/addJob.js';
import { defineTask } from './defineTask.js';

/** A slice ends after this and hands over to a fresh job, so one shard never holds a worker slot forever. */
const SLICE_MS = 10_000;

/**
 * Drains one shard's pending SES events in batches, for the shards no
 * worker process drains itself (events/eventDrain.ts): the workers' sweep
 * queues it (events/pendingSweep.ts).
 */
export const eventsProcess = defineTask('events__process', async (deps, { shard }, helpers) => {
  const started = Date.now();
  for (;;) {
    const taken = await processEventBatch(deps, shard, EVENT_BATCH);
    if (taken < EVENT_BATCH) return;
    if (Date.now() - started > SLICE_MS || helpers.abortSignal?.aborted) {
      await addJob(deps.sql, 'events__process', { shard }, { jobKey: eventsJobKey(shard) });
      return;
    }
  }
});
