import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { authenticate, type Authentication } from '../http/authenticate.js';
import type { LoginThrottle } from '../http/loginThrottle.js';
import type { MetricsHub } from '../realtime/metricsHub.js';
import type { Deps } from '../deps.js';

export type { Principal } from '../http/authenticate.js';

/** `info` is left out: nothing reads it, and the onMetrics fan-out route builds contexts without tRPC's request parsing. */
export type Context = Pick<CreateFastifyContextOptions, 'req' | 'res'> & Authentication & { deps: Deps; loginThrottle: LoginThrottle; metricsHub: MetricsHub };

export function contextFactory(deps: Deps, loginThrottle: LoginThrottle, metricsHub: MetricsHub) {
  return async (opts: Pick<CreateFastifyContextOptions, 'req' | 'res'>): Promise<Context> => ({ req: opts.req, res: opts.res, deps, loginThrottle, metricsHub, ...(await authenticate(deps, opts.req)) });
}
