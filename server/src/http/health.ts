import type { FastifyInstance } from 'fastify';
import { migrationsApplied } from '../db/migrate.js';
import type { Deps } from '../deps.js';

export function registerHealthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      if (!(await migrationsApplied(deps.sql))) {
        return reply.code(503).send({ status: 'not ready', reason: 'database migrations are not applied' });
      }
      return { status: 'ready' };
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'not ready', reason: 'database unreachable' });
    }
  });
}
