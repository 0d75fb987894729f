import { TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.js';
import { authenticate, type Authentication } from '../http/authenticate.js';
import type { LoginThrottle } from '../http/loginThrottle.js';
import type { MetricsHub } from '../realtime/metricsHub.js';
import type { Deps } from '../deps.js';

export type { Principal } from '../http/authenticate.js';

/** `info` is left out: nothing reads it, and the onMetrics fan-out route builds contexts without tRPC's request parsing. */
export type Context = Pick<CreateFastifyContextOptions, 'req' | 'res'> & Authentication & { deps: Deps; loginThrottle: LoginThrottle; metricsHub: MetricsHub };

export function contextFactory(deps: Deps, loginThrottle: LoginThrottle, metricsHub: MetricsHub) {
  return async (opts: Pick<CreateFastifyContextOptions, 'req' | 'res'>): Promise<Context> => ({ req: opts.req, res: opts.res, deps, loginThrottle, metricsHub, ...(await authenticateOr503(deps, opts.req)) });
}

/** Credentials are looked up in the database: while it is down, every call is a 503, not a 500. */
async function authenticateOr503(deps: Deps, req: CreateFastifyContextOptions['req']): Promise<Authentication> {
  try {
    return await authenticate(deps, req);
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    deps.outage.failed('api', err);
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE, cause: err });
  }
}
