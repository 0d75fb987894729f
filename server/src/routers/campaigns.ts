import { z } from 'zod';
import { cancelCampaign, pauseCampaign, resumeCampaign, sendCampaign } from '../services/campaigns/lifecycle.js';
import { openCampaignMetrics } from '../realtime/metricsStream.js';
import { campaignMetrics } from '../services/campaigns/metrics.js';
import { previewCampaign } from '../services/campaigns/preview.js';
import { scheduleCampaign, unscheduleCampaign } from '../services/campaigns/schedule.js';
import { checkCampaignSend } from '../services/campaigns/sendCheck.js';
import { sendCampaignTest } from '../services/campaigns/sendTest.js';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns, updateCampaign } from '../services/campaigns/records.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { campaignReportRouter } from './campaignReport.js';
import { emailInput, idInput, nameInput } from './inputs.js';

const MB = 1_000_000;

const subject = z
  .string({ error: 'Enter a subject.' })
  .trim()
  .min(1, 'Enter a subject.')
  // RFC 5322's line limit; the header is one line.
  .max(998, 'A subject has at most 998 characters.')
  .refine((s) => !/[\r\n]/.test(s), 'A subject must be a single line.');
const fromName = z
  .string()
  .trim()
  .max(200, 'A from name has at most 200 characters.')
  .refine((s) => !/[\r\n]/.test(s), 'A from name must be a single line.')
  .transform((s) => s || null)
  .nullable();
const html = z.string({ error: 'Enter the HTML body.' }).min(1, 'Enter the HTML body.').max(MB, 'The HTML body is too large: at most 1,000,000 characters.');
const text = z.string().max(MB, 'The text body is too large: at most 1,000,000 characters.').nullable();

const fields = {
  name: nameInput('campaign name', 200),
  subject,
  fromEmail: emailInput,
  fromName: fromName.optional(),
  replyTo: emailInput.nullable().optional(),
  html,
  text: text.optional(),
  // The audience: a list or a segment. On update, setting one clears the other.
  listId: idInput.optional(),
  segmentId: idInput.optional(),
};

const oneAudience = { message: 'A campaign goes to a list or a segment, not both.', path: ['segmentId'] };
const byId = z.object({ id: idInput });
const scheduleInput = z.object({
  id: idInput,
  // A wall-clock time with no offset: the zone says which instant it is (services/campaigns/scheduleTime.ts).
  sendAt: z
    .string({ error: 'Pick a date and time to send.' })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Give the send time as a local date and time, YYYY-MM-DDTHH:mm (e.g. 2026-12-09T09:00).'),
  timeZone: z.string({ error: 'Pick a time zone.' }).trim().min(1, 'Pick a time zone.').max(100, 'A time zone name has at most 100 characters.'),
});
const createInput = z
  .object({ ...fields, channel: z.literal('email', { error: 'Only the email channel is available.' }) })
  .refine((i) => !(i.listId && i.segmentId), oneAudience)
  .refine((i) => i.listId || i.segmentId, { message: 'Choose the list or segment this campaign goes to.', path: ['listId'] });
const updateInput = z
  .object({ id: idInput, ...fields })
  .partial()
  .required({ id: true })
  .refine((i) => !(i.listId && i.segmentId), oneAudience);

export const campaignsRouter = router({
  create: tenantProcedure
    .input(createInput)
    .mutation(({ ctx, input }) =>
      createCampaign(ctx.deps, ctx.tenantId, {
        ...input,
        fromName: input.fromName ?? null,
        replyTo: input.replyTo ?? null,
        text: input.text ?? null,
        listId: input.listId ?? null,
        segmentId: input.segmentId ?? null,
      }),
    ),
  update: tenantProcedure.input(updateInput).mutation(({ ctx, input: { id, ...patch } }) => updateCampaign(ctx.deps, ctx.tenantId, id, patch)),
  get: tenantProcedure.input(z.object({ id: idInput })).query(({ ctx, input }) => getCampaign(ctx.deps, ctx.tenantId, input.id)),
  list: tenantProcedure.query(({ ctx }) => listCampaigns(ctx.deps, ctx.tenantId)),
  delete: tenantProcedure.input(z.object({ id: idInput })).mutation(async ({ ctx, input }) => {
    await deleteCampaign(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
  preview: tenantProcedure
    .input(z.object({ id: idInput, contactId: idInput.optional() }))
    .query(({ ctx, input }) => previewCampaign(ctx.deps, ctx.tenantId, input)),
  metrics: tenantProcedure.input(byId).query(({ ctx, input }) => campaignMetrics(ctx.deps, ctx.tenantId, input.id)),
  // SSE: tRPC merges the Last-Event-ID of a reconnect into lastEventId.
  onMetrics: tenantProcedure
    .input(z.object({ id: idInput, lastEventId: z.string().max(100).nullish() }))
    .subscription(({ ctx, input, signal }) =>
      openCampaignMetrics({ sql: ctx.deps.sql, hub: ctx.metricsHub }, ctx.tenantId, input.id, input.lastEventId, signal),
    ),
  // The checks before sending now (a draft) or before scheduling (a draft, or a scheduled campaign being moved).
  sendCheck: tenantProcedure
    .input(z.object({ id: idInput, intent: z.enum(['send', 'schedule']).default('send') }))
    .query(({ ctx, input }) => checkCampaignSend(ctx.deps, ctx.tenantId, input.id, input.intent === 'schedule' ? ['draft', 'scheduled'] : ['draft'])),
  sendTest: tenantProcedure.input(z.object({ id: idInput, to: emailInput })).mutation(({ ctx, input }) => sendCampaignTest(ctx.deps, ctx.tenantId, input)),
  send: tenantProcedure.input(byId).mutation(({ ctx, input }) => sendCampaign(ctx.deps, ctx.tenantId, input.id)),
  schedule: tenantProcedure.input(scheduleInput).mutation(({ ctx, input }) => scheduleCampaign(ctx.deps, ctx.tenantId, input)),
  unschedule: tenantProcedure.input(byId).mutation(({ ctx, input }) => unscheduleCampaign(ctx.deps, ctx.tenantId, input.id)),
  pause: tenantProcedure.input(byId).mutation(({ ctx, input }) => pauseCampaign(ctx.deps, ctx.tenantId, input.id)),
  resume: tenantProcedure.input(byId).mutation(({ ctx, input }) => resumeCampaign(ctx.deps, ctx.tenantId, input.id)),
  cancel: tenantProcedure.input(byId).mutation(({ ctx, input }) => cancelCampaign(ctx.deps, ctx.tenantId, input.id)),
  report: campaignReportRouter,
});
