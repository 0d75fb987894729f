import type { FastifyInstance, FastifyReply } from 'fastify';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import type { Deps } from '../deps.js';

/** 503 with Retry-After, in the REST routes' error shape; the failure goes to the outage reporter, not a stack per request. */
export function replyDatabaseUnavailable(reply: FastifyReply, deps: Deps, where: string, err: unknown) {
  deps.outage.failed(where, err);
  return reply
    .code(503)
    .header('retry-after', String(RETRY_AFTER_SECONDS))
    .send({ error: { code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE } });
}

/**
 * Routes outside the REST scope (unsubscribe pages, exports, the web app's
 * loaders) answer 503 too while the database is down; every other error
 * goes on to Fastify's own handler, as before.
 */
export function answerDatabaseOutages(app: FastifyInstance, deps: Deps): void {
  app.setErrorHandler((err, _req, reply) => {
    if (isDatabaseUnavailable(err)) return replyDatabaseUnavailable(reply, deps, 'http', err);
    throw err;
  });
}
