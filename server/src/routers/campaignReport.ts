import { z } from 'zod';
import { campaignLinks } from '../services/campaigns/links.js';
import { DEFAULT_RECIPIENTS_PAGE, MAX_RECIPIENTS_PAGE, campaignRecipients } from '../services/campaigns/recipients.js';
import { resendFailed } from '../services/campaigns/resend.js';
import { MESSAGE_STATUSES } from '../services/campaigns/stats.js';
import { campaignTimeline } from '../services/campaigns/timeline.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { idInput } from './inputs.js';

const byId = z.object({ id: idInput });

/** A message status, as the recipients table and its CSV export filter by it. */
export const messageStatusInput = z.enum(MESSAGE_STATUSES, { error: `Unknown status: use one of ${MESSAGE_STATUSES.join(', ')}.` });

const recipientsInput = z.object({
  id: idInput,
  status: messageStatusInput.optional(),
  cursor: z.uuid({ error: 'Expected the nextCursor of a previous page.' }).optional(),
  limit: z
    .number({ error: 'Expected a page size (a number).' })
    .int('A page size is a whole number.')
    .min(1, 'A page holds at least 1 recipient.')
    .max(MAX_RECIPIENTS_PAGE, `A page holds at most ${MAX_RECIPIENTS_PAGE} recipients.`)
    .default(DEFAULT_RECIPIENTS_PAGE),
});

/** The campaign report's reads and "Resend to failed": `campaigns.report.*`. */
export const campaignReportRouter = router({
  timeline: tenantProcedure.input(byId).query(({ ctx, input }) => campaignTimeline(ctx.deps, ctx.tenantId, input.id)),
  links: tenantProcedure.input(byId).query(({ ctx, input }) => campaignLinks(ctx.deps, ctx.tenantId, input.id)),
  recipients: tenantProcedure.input(recipientsInput).query(({ ctx, input }) => campaignRecipients(ctx.deps, ctx.tenantId, input)),
  resendFailed: tenantProcedure.input(byId).mutation(({ ctx, input }) => resendFailed(ctx.deps, ctx.tenantId, input.id)),
});
