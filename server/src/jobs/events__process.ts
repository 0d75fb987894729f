import { processEventBatch } from '../events/processEvents.js';
import { eventsJobKey } from '../events/shards.js';
import { addJob } from '../queue/addJob.js';
import { defineTask } from './defineTask.js';

const BATCH = 500;
/** A slice ends after this and hands over to a fresh job, so one shard never holds a worker slot forever. */
const SLICE_MS = 10_000;

/**
 * Drains one shard's pending SES events in batches. The webhook's process
 * queues this job shortly after storing (events/processingScheduler.ts), and
 * the workers' sweep queues it for events whose job was lost.
 */
export const eventsProcess = defineTask('events__process', async (deps, { shard }, helpers) => {
  const started = Date.now();
  for (;;) {
    const taken = await processEventBatch(deps, shard, BATCH);
    if (taken < BATCH) return;
    if (Date.now() - started > SLICE_MS || helpers.abortSignal?.aborted) {
      await addJob(deps.sql, 'events__process', { shard }, { jobKey: eventsJobKey(shard) });
      return;
    }
  }
});
