import { z } from 'zod';
import { MAX_EVENT_SHARD } from '../events/shards.js';

/**
 * The payload of every job Herald runs, by graphile-worker task identifier.
 * A leaf module: code that enqueues (queue/addJob.ts) and the tasks that run
 * (jobs/) both depend on it, never on each other.
 */
export const taskPayloads = {
  sessions__purge_expired: z.object({}),
  contacts__import: z.object({ importId: z.uuid() }),
  retention__purge: z.object({}),
  campaigns__start: z.object({ campaignId: z.uuid() }),
  campaigns__fan_out: z.object({ campaignId: z.uuid() }),
  campaigns__send: z.object({ campaignId: z.uuid(), lane: z.number().int().min(0).max(63) }),
  events__process: z.object({ shard: z.number().int().min(0).max(MAX_EVENT_SHARD) }),
  emails__send: z.object({ emailIds: z.array(z.uuid()).min(1).max(100) }),
};

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<N extends TaskName> = z.infer<(typeof taskPayloads)[N]>;
