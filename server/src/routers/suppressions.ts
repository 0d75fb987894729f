import { z } from 'zod';
import { addSuppression, listSuppressions, removeSuppression } from '../services/audience/suppressions.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { emailInput, idInput } from './inputs.js';

export const suppressionsRouter = router({
  list: tenantProcedure
    .input(
      z.object({
        search: z.string().max(254).optional(),
        reason: z.enum(['bounce', 'complaint', 'unsubscribe', 'manual']).optional(),
        cursor: z.string().max(400).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => listSuppressions(ctx.deps, ctx.tenantId, input)),
  add: tenantProcedure
    .input(z.object({ email: emailInput }))
    .mutation(({ ctx, input }) => addSuppression(ctx.deps, ctx.tenantId, { email: input.email, reason: 'manual', source: ctx.principal.kind === 'session' ? `added by ${ctx.principal.user.email}` : 'added via API' })),
  remove: tenantProcedure.input(z.object({ id: idInput })).mutation(async ({ ctx, input }) => {
    await removeSuppression(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
});
