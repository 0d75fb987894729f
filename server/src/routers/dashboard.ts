import { dashboardSummary } from '../services/dashboard/summary.js';
import { router, tenantProcedure } from '../trpc/init.js';

export const dashboardRouter = router({
  summary: tenantProcedure.query(({ ctx }) => dashboardSummary(ctx.deps, ctx.tenantId)),
});
