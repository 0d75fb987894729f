import { startScheduledCampaign } from '../services/campaigns/scheduledStart.js';
import { defineTask } from './defineTask.js';

/**
 * Starts a scheduled campaign at its time (job key `campaign-start:<id>`,
 * `run_at` = the time). Safe to run any number of times: only the run that
 * finds the campaign still scheduled and due, under its row lock, starts it.
 */
export const campaignsStart = defineTask('campaigns__start', async (deps, { campaignId }, helpers) => {
  const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
  const outcome = await startScheduledCampaign(deps, campaignId, lastAttempt);
  // Thrown, so graphile-worker tries again with its backoff: SES could not be asked whether the sender is verified.
  if (outcome === 'retry') throw new Error(`campaign ${campaignId}: Amazon SES could not be reached for the send checks; trying again`);
  deps.logger.info({ campaignId, outcome, attempt: helpers.job.attempts }, 'scheduled campaign start');
});
