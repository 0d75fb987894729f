import { enqueueLane } from '../sending/lanes.js';
import { runSendLane } from '../sending/sendLane.js';
import { defineTask } from './defineTask.js';

/** One slice of one send lane (sending/lanes.ts); it enqueues its own continuation. */
export const campaignsSend = defineTask('campaigns__send', async (deps, { campaignId, lane }, helpers) => {
  const step = await runSendLane(deps, campaignId, helpers.abortSignal);
  if (step.next === 'continue') await enqueueLane(deps.sql, campaignId, lane);
  if (step.next === 'later') await enqueueLane(deps.sql, campaignId, lane, step.runAt);
});
