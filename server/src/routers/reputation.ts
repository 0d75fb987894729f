import { TRPCError } from '@trpc/server';
import { getReputation } from '../services/reputation.js';
import { resumeReputation } from '../services/reputationResume.js';
import { router, tenantProcedure } from '../trpc/init.js';

/**
 * Lifting the guard's pause puts the tenant's SES account at risk again, so
 * it takes a person who answers for the account: a signed-in owner, never
 * a member or an API key.
 */
const ownerProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (ctx.principal.kind !== 'session') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner, signed in to Herald, can resume sending; an API key cannot.' });
  }
  if (ctx.principal.role !== 'owner') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner of this account can resume sending. Ask an owner to resume.' });
  }
  return next({ ctx: { userId: ctx.principal.user.id } });
});

export const reputationRouter = router({
  get: tenantProcedure.query(({ ctx }) => getReputation(ctx.deps, ctx.tenantId)),
  resume: ownerProcedure.mutation(({ ctx }) => resumeReputation(ctx.deps, ctx.tenantId, ctx.userId)),
});
