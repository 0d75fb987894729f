import { z } from 'zod';
import { processEventBatch } from '../events/processEvents.js';
import { eventsJobKeyPrefix } from '../webhooks/processingScheduler.js';
import { EVENT_SHARDS } from '../webhooks/storeEvents.js';
import { addJob } from './addJob.js';
import { defineTask } from './defineTask.js';

const BATCH = 500;
/** A slice ends after this and hands over to a fresh job, so one shard never holds a worker slot forever. */
const SLICE_MS = 10_000;

/**
 * Drains one shard's pending SES events in batches. The webhook adds (or
 * replaces) this job with the shard's key in the transaction that stores an
 * event, so every stored event is looked at by a run that starts after it.
 */
export const eventsProcess = defineTask(z.object({ shard: z.number().int().min(0).max(EVENT_SHARDS - 1) }), async (deps, { shard }, helpers) => {
  const started = Date.now();
  for (;;) {
    const taken = await processEventBatch(deps, shard, BATCH);
    if (taken < BATCH) return;
    if (Date.now() - started > SLICE_MS || helpers.abortSignal?.aborted) {
      await addJob(deps.sql, 'events__process', { shard }, { jobKey: `${eventsJobKeyPrefix}${shard}` });
      return;
    }
  }
});
