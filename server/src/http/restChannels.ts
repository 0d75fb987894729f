import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { AppError, httpStatusOf } from '../errors.js';
import { connectEmailInput } from '../routers/channels.js';
import type { Deps } from '../services/deps.js';
import { connectEmailChannel, disconnectEmailChannel, getEmailChannel, listVerifiedIdentities } from '../services/emailChannel.js';
import { describeZodError } from '../trpc/zodMessages.js';
import { authenticate } from './authenticate.js';
import { isSameOrigin } from './origin.js';

type ErrorBody = { error: { code: string; message: string; fieldErrors?: Record<string, string>; details?: Record<string, unknown> } };

/**
 * The original plan's REST routes for the email channel: the same services
 * and the same authentication as the tRPC procedures (channels.email.*).
 */
export function registerChannelRoutes(app: FastifyInstance, deps: Deps): void {
  app.register(
    async (scope) => {
      scope.decorateRequest('tenantId', '');
      // onRequest: unauthenticated or cross-site requests are refused before their body is even parsed.
      scope.addHook('onRequest', async (req, reply) => {
        const { principal, authProblem } = await authenticate(deps, req);
        if (!principal) return sendError(reply, 401, 'UNAUTHORIZED', authProblem ?? 'Sign in or send an API key to use this.');
        const cookieAuthed = req.headers.authorization === undefined;
        if (cookieAuthed && req.method !== 'GET' && !isSameOrigin(req, deps.env.publicUrl)) {
          return sendError(reply, 403, 'FORBIDDEN', 'This request did not come from a Herald page (Origin check failed).');
        }
        req.tenantId = principal.tenant.id;
      });
      scope.setErrorHandler((err, req, reply) => {
        if (err instanceof ZodError) {
          const { message, fieldErrors } = describeZodError(err);
          return sendError(reply, 400, 'BAD_REQUEST', message, { fieldErrors });
        }
        if (err instanceof AppError) return sendError(reply, httpStatusOf[err.code], err.code, err.message, err.details ? { details: err.details } : {});
        const status = (err as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', (err as Error).message);
        req.log.error({ err }, 'channel route failed');
        return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Something went wrong on our side. Please try again.');
      });

      scope.get('/', (req) => getEmailChannel(deps, req.tenantId));
      scope.post('/', (req) => connectEmailChannel(deps, req.tenantId, connectEmailInput.parse(req.body ?? {})));
      scope.delete('/', (req) => disconnectEmailChannel(deps, req.tenantId));
      scope.get('/verified-emails', async (req) => ({ identities: await listVerifiedIdentities(deps, req.tenantId) }));
    },
    { prefix: '/api/tenant/channels/email' },
  );
}

function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Partial<ErrorBody['error']> = {}) {
  return reply.code(status).send({ error: { code, message, ...extra } } satisfies ErrorBody);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the channel routes' preHandler from the caller's credentials, never from input. */
    tenantId: string;
  }
}

