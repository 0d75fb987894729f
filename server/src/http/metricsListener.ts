import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import { registerMetricsRoute } from './metricsRoute.js';

export type MetricsListener = { url: string; close: () => Promise<void> };

/**
 * A worker-only process (`npm run worker`) has no HTTP server, yet its sends,
 * SES calls and event processing are counted in its own registry. This tiny
 * server, on METRICS_PORT, serves `GET /metrics` only, behind the same bearer
 * token as the API's; every other path is a 404.
 */
export async function startMetricsListener(deps: { registry: Registry; token: string; logger: Logger }, port: number, host: string): Promise<MetricsListener> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, forceCloseConnections: true, bodyLimit: 1024 });
  registerMetricsRoute(app, deps);
  const url = await app.listen({ port, host });
  deps.logger.info({ url: `${url}/metrics` }, 'metrics listener started');
  return { url, close: () => app.close() };
}
