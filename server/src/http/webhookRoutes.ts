import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { handleSnsDelivery, type WebhookDeps } from '../webhooks/emailWebhook.js';
import { groupCommit } from '../db/groupCommit.js';
import { logFailure } from '../db/outageReporter.js';
import { createRefusalCounter } from '../webhooks/refusalCounter.js';
import { certificateSource } from '../webhooks/snsCertificates.js';
import { storeEvents } from '../events/storeEvents.js';

/** SNS messages are at most 256 KB; the envelope and JSON escaping add a little. */
export const WEBHOOK_BODY_LIMIT = 300 * 1024;

/**
 * `POST /webhooks/email`: Amazon SNS deliveries of SES events. Its own
 * scope and body parsing: SNS posts JSON as `text/plain; charset=UTF-8`, so
 * the body is taken as a string (JSON too) and parsed by the handler. No
 * cookies, no sessions: trust comes only from the SNS signature.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: Deps): void {
  const webhook: WebhookDeps = {
    sql: deps.sql,
    logger: deps.logger,
    allow: deps.env.snsCertUrlAllow,
    certificates: certificateSource(),
    fetch: (input, init) => globalThis.fetch(input, init),
    now: deps.now,
    // Four flushes in flight. One (bigger batches) took a third less of Postgres's time per event under a
    // flood, but at a few hundred a second on a busy machine it queued every event behind a flush whose
    // backend waited for the CPU: 2–8 × more answers over 100 ms, more 503s and a slower recovery when the
    // database came back (docs/benchmarks.md, webhook, 2026-12-08).
    store: groupCommit((events) => storeEvents(deps.sql, events), { maxBatch: 500, maxConcurrent: 4 }),
  };
  const refusals = createRefusalCounter({ sql: deps.sql, logger: deps.logger });
  const metrics = deps.metrics.webhook;
  app.addHook('onClose', async () => {
    await refusals.close();
  });

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['text/plain', 'application/json'], { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.addHook('onResponse', async (_req, reply) => metrics.answered(reply.elapsedTime / 1000));

    // SNS may post thousands a second: per-request access logs would cost more than the check itself.
    scope.post('/webhooks/email', { logLevel: 'warn' }, async (req, reply) => {
      const typeHeader = req.headers['x-amz-sns-message-type'];
      let answer;
      try {
        answer = await handleSnsDelivery(webhook, req.body as string, typeof typeHeader === 'string' ? typeHeader : undefined);
      } catch (err) {
        // The database is unreachable or failing: a 5xx makes SNS deliver the message again later.
        metrics.unavailable();
        logFailure(deps, 'webhook', err, 'SNS delivery could not be handled');
        return reply.code(503).send({ ok: false, message: 'Herald could not store the event right now' });
      }
      const { snsMessageId } = answer;
      if (answer.error !== undefined) logFailure(deps, 'webhook', answer.error, 'SNS delivery could not be stored', { snsMessageId });
      else if (answer.status >= 400) req.log.warn({ status: answer.status, reason: answer.message, snsMessageId, accountId: answer.refusal?.accountId }, 'SNS delivery refused');
      if (answer.status >= 500) metrics.unavailable();
      else if (answer.refusal) metrics.refused(answer.refusal.reason);
      else if (answer.accepted) metrics.accepted(answer.accepted, answer.eventType);
      if (answer.refusal) refusals.record(answer.refusal.accountId, answer.refusal.reason);
      return reply.code(answer.status).send({ ok: answer.status < 300, message: answer.message });
    });
  });
}
