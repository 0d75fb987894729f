import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { AppError, httpStatusOf } from '../errors.js';
import type { Deps } from '../deps.js';
import { describeZodError } from '../trpc/zodMessages.js';
import { authenticate } from './authenticate.js';
import { isSameOrigin } from './origin.js';
import { replyDatabaseUnavailable } from './unavailable.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

type ErrorBody = { error: { code: string; message: string; fieldErrors?: Record<string, string>; details?: Record<string, unknown> } };

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Partial<ErrorBody['error']> = {}) {
  return reply.code(status).send({ error: { code, message, ...extra } } satisfies ErrorBody);
}

/**
 * A REST route group with the same rules as tRPC: the caller's tenant comes
 * from their credentials (session cookie or API key), cookie-authenticated
 * writes must come from Herald's own origin, and errors are JSON with a
 * human message. Unauthenticated or cross-site requests are refused in
 * onRequest, before any body is read.
 */
export function registerRestScope(app: FastifyInstance, deps: Deps, prefix: string, routes: (scope: FastifyInstance) => void): void {
  app.register(
    async (scope) => {
      scope.decorateRequest('tenantId', '');
      scope.decorateRequest('userId', null);
      scope.decorateRequest('apiKeyId', null);
      scope.addHook('onRequest', async (req, reply) => {
        const { principal, authProblem } = await authenticate(deps, req);
        if (!principal) return sendError(reply, 401, 'UNAUTHORIZED', authProblem ?? 'Sign in or send an API key to use this.');
        const cookieAuthed = req.headers.authorization === undefined;
        if (cookieAuthed && req.method !== 'GET' && !isSameOrigin(req, deps.env.publicUrl)) {
          return sendError(reply, 403, 'FORBIDDEN', 'This request did not come from a Herald page (Origin check failed).');
        }
        req.tenantId = principal.tenant.id;
        req.userId = principal.kind === 'session' ? principal.user.id : null;
        req.apiKeyId = principal.kind === 'apiKey' ? principal.apiKeyId : null;
      });
      scope.setErrorHandler((err, req, reply) => {
        if (isDatabaseUnavailable(err)) return replyDatabaseUnavailable(reply, deps, 'rest', err);
        if (err instanceof ZodError) {
          const { message, fieldErrors } = describeZodError(err);
          return sendError(reply, 400, 'BAD_REQUEST', message, { fieldErrors });
        }
        if (err instanceof AppError) {
          // A service names the fields it refused in details.fieldErrors; they go where validation's go.
          const { fieldErrors, ...details } = (err.details ?? {}) as { fieldErrors?: Record<string, string> };
          return sendError(reply, httpStatusOf[err.code], err.code, err.message, { ...(fieldErrors ? { fieldErrors } : {}), ...(Object.keys(details).length > 0 ? { details } : {}) });
        }
        const status = (err as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', (err as Error).message);
        req.log.error({ err }, 'REST route failed');
        return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Something went wrong on our side. Please try again.');
      });
      routes(scope);
    },
    { prefix },
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by registerRestScope from the caller's credentials, never from input. */
    tenantId: string;
    userId: string | null;
    /** The API key that authenticated the request; null for a signed-in person. */
    apiKeyId: string | null;
  }
}
