import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/account/apiKeys.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { idInput, nameInput } from './inputs.js';

export const apiKeysRouter = router({
  create: tenantProcedure
    .input(z.object({ name: nameInput('key name', 80) }))
    .mutation(({ ctx, input }) => createApiKey(ctx.deps, { tenantId: ctx.tenantId, userId: ctx.userId }, input)),

  list: tenantProcedure.query(({ ctx }) => listApiKeys(ctx.deps, ctx.tenantId)),

  revoke: tenantProcedure.input(z.object({ id: idInput })).mutation(async ({ ctx, input }) => {
    await revokeApiKey(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
});
