import { getReputation } from '../services/reputation/guard.js';
import { resumeReputation } from '../services/reputation/resume.js';
import { ownerProcedure, router, tenantProcedure } from '../trpc/init.js';

export const reputationRouter = router({
  get: tenantProcedure.query(({ ctx }) => getReputation(ctx.deps, ctx.tenantId)),
  /** Lifting the guard's pause puts the tenant's SES account at risk again: owners only. */
  resume: ownerProcedure.mutation(({ ctx }) => resumeReputation(ctx.deps, ctx.tenantId, ctx.userId)),
});
