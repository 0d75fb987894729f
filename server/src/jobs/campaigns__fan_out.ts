import { enqueueFanOut } from '../sending/lanes.js';
import { runFanOut } from '../sending/fanOut.js';
import { defineTask } from './defineTask.js';

/** Materializes a sending campaign's messages in slices; each slice enqueues the next. */
export const campaignsFanOut = defineTask('campaigns__fan_out', async (deps, { campaignId }, helpers) => {
  if ((await runFanOut(deps, campaignId, helpers.abortSignal)) === 'continue') await enqueueFanOut(deps.sql, campaignId);
});
