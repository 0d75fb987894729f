import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';

export type MetricsRouteDeps = { registry: Registry; token: string | undefined; logger: Logger };

/**
 * `GET /metrics`: the process's Prometheus registry in the text exposition
 * format. Without METRICS_TOKEN the route does not exist (404 like any
 * unknown path): operational numbers are not public by default. With it,
 * only `Authorization: Bearer <token>` is answered; anything else is a 401
 * with no metric in it. Used by the API (app.ts) and by the worker-only
 * listener (metricsListener.ts).
 */
export function registerMetricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  if (!deps.token) return;
  const expected = digest(deps.token);
  // Prometheus scrapes every few seconds: no access log per scrape, refusals are logged below.
  app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
    if (!bearerMatches(req, expected)) {
      // Who asked, never what they sent: the header may hold a mistyped real token.
      deps.logger.warn({ ip: req.ip, hasAuthorization: req.headers.authorization !== undefined }, 'metrics scrape refused: missing or wrong bearer token');
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="herald-metrics"')
        .send({ error: 'Unauthorized', message: 'GET /metrics needs the header Authorization: Bearer <METRICS_TOKEN>.' });
    }
    const text = await deps.registry.metrics();
    return reply.header('Content-Type', deps.registry.contentType).header('Cache-Control', 'no-store').send(text);
  });
}

/** SHA-256 first, so the comparison below is between equal lengths and takes the same time whatever was sent. */
const digest = (value: string) => createHash('sha256').update(value).digest();

function bearerMatches(req: FastifyRequest, expected: Buffer): boolean {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return timingSafeEqual(digest(match?.[1] ?? ''), expected);
}
