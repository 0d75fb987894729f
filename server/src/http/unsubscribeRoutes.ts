import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../deps.js';
import { findUnsubscribeTarget, unsubscribe } from '../services/audience/unsubscribe.js';
import { verifyUnsubscribeToken } from '../services/audience/unsubscribeTokens.js';
import { confirmPage, donePage, gonePage, invalidPage } from './unsubscribePage.js';

/**
 * One-click unsubscribe (RFC 8058) and the List-Unsubscribe URL (RFC 2369).
 * GET only shows a confirmation page, because link scanners fetch every URL
 * in a message; only a POST unsubscribes. No cookies, no origin check: the
 * POST comes from a mail provider or from the confirmation page.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(
    async (scope) => {
      // The one-click body is `List-Unsubscribe=One-Click`, form-encoded or multipart; its content doesn't matter.
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
      scope.addHook('onSend', async (_req, reply) => {
        reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
        reply.header('referrer-policy', 'no-referrer');
        reply.header('cache-control', 'no-store');
      });

      scope.get<{ Params: { token: string } }>('/:token', async (req, reply) => {
        const claims = verifyUnsubscribeToken(deps.keyring, req.params.token);
        if (!claims) return html(reply, 400, invalidPage());
        const target = await findUnsubscribeTarget(deps, claims);
        if (!target) return html(reply, 404, gonePage());
        return html(reply, 200, target.alreadyUnsubscribed ? donePage(target.email, target.companyName) : confirmPage(target.email, target.companyName));
      });

      scope.post<{ Params: { token: string } }>('/:token', async (req, reply) => {
        const claims = verifyUnsubscribeToken(deps.keyring, req.params.token);
        if (!claims) return html(reply, 400, invalidPage());
        const target = await unsubscribe(deps, claims);
        if (!target) return html(reply, 404, gonePage());
        return html(reply, 200, donePage(target.email, target.companyName));
      });
    },
    { prefix: '/u' },
  );
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}
