import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { authenticate, type Authentication } from '../http/authenticate.js';
import type { LoginThrottle } from '../http/loginThrottle.js';
import type { MetricsHub } from '../realtime/metricsHub.js';
import type { Deps } from '../services/deps.js';

export type { Principal } from '../http/authenticate.js';

export type Context = CreateFastifyContextOptions & Authentication & { deps: Deps; loginThrottle: LoginThrottle; metricsHub: MetricsHub };

export function contextFactory(deps: Deps, loginThrottle: LoginThrottle, metricsHub: MetricsHub) {
  return async (opts: CreateFastifyContextOptions): Promise<Context> => ({ ...opts, deps, loginThrottle, metricsHub, ...(await authenticate(deps, opts.req)) });
}
