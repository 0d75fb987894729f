import { z } from 'zod';
import { sendEmail } from '../services/emails/acceptEmail.js';
import { listEmails, RECIPIENT_OUTCOMES, SEND_STAGES } from '../services/emails/listEmails.js';
import { getEmail } from '../services/emails/readEmails.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { sendEmailInput } from './emails.inputs.js';
import { idInput } from './inputs.js';

export const listEmailsInput = z.object({
  cursor: z.string().max(400).optional(),
  limit: z.number().int().min(1).max(200).optional(),
  recipient: z.string().trim().max(254).optional(),
  status: z.enum([...SEND_STAGES, ...RECIPIENT_OUTCOMES], { error: `status is one of ${[...SEND_STAGES, ...RECIPIENT_OUTCOMES].join(', ')}.` }).optional(),
  tag: z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(256) }).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** Transactional email for other services (API key) and the web app (session). */
export const emailsRouter = router({
  send: tenantProcedure
    .input(sendEmailInput)
    .mutation(({ ctx, input }) => sendEmail(ctx.deps, { tenantId: ctx.tenantId, apiKeyId: ctx.principal.kind === 'apiKey' ? ctx.principal.apiKeyId : null }, input)),
  get: tenantProcedure.input(z.object({ id: idInput })).query(({ ctx, input }) => getEmail(ctx.deps, ctx.tenantId, input.id)),
  list: tenantProcedure.input(listEmailsInput).query(({ ctx, input }) => listEmails(ctx.deps, ctx.tenantId, input)),
});
