import type {} from '@fastify/cookie';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db/unavailable.js';
import { AppError } from '../errors.js';
import { hasOriginHeader, isSameOrigin } from '../http/origin.js';
import type { Context } from './context.js';
import { describeZodError } from './zodMessages.js';

/** Shared with the fan-out writer of campaigns.onMetrics (http/metricsStreamRoute.ts), which speaks the same SSE protocol. */
export const sseOptions = {
  ping: { enabled: true, intervalMs: 15_000 },
  client: { reconnectAfterInactivityMs: 30_000 },
};

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? describeZodError(error.cause) : null;
    // 5xx details stay in the logs (see onError in app.ts).
    const message =
      error.code === 'INTERNAL_SERVER_ERROR'
        ? 'Something went wrong on our side. Please try again.'
        : error.cause instanceof SyntaxError
          ? `The request body is not valid JSON (${error.cause.message}).`
          : (zod?.message ?? shape.message);
    const { stack: _stack, ...data } = shape.data;
    const details = error.cause instanceof AppError ? (error.cause.details ?? null) : null;
    // A service names the fields it refused in details.fieldErrors; they go where validation's go.
    const serviceFields = (details?.fieldErrors as Record<string, string> | undefined) ?? null;
    return { ...shape, message, data: { ...data, fieldErrors: zod?.fieldErrors ?? serviceFields, details } };
  },
  sse: sseOptions,
});

export const router = t.router;

/**
 * Maps AppError to TRPCError so services stay transport-agnostic, and an
 * unreachable database to 503 (the client may try again; nothing to log per call).
 */
const appErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  if (!result.ok && isDatabaseUnavailable(result.error.cause)) {
    ctx.deps.outage.failed('api', result.error.cause);
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_MESSAGE });
  }
  return result;
});

/**
 * Cookie-authenticated writes must come from Herald's own pages (CSRF);
 * a write that names a foreign Origin is refused even without a cookie
 * (login CSRF). API-key calls carry no ambient credentials and are exempt.
 */
const originCheck = t.middleware(({ ctx, type, next }) => {
  if (type !== 'mutation' || ctx.req.headers.authorization !== undefined) return next();
  const cookieAuthed = ctx.req.cookies.herald_session !== undefined;
  if ((cookieAuthed || hasOriginHeader(ctx.req)) && !isSameOrigin(ctx.req, ctx.deps.env.publicUrl)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This request did not come from a Herald page (Origin check failed).' });
  }
  return next();
});

export const publicProcedure = t.procedure.use(appErrors).use(originCheck);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authProblem ?? 'Sign in or send an API key to use this.' });
  }
  return next({ ctx: { principal: ctx.principal } });
});

/** Every tenant-owned read and write goes through here; the tenant id never comes from input. */
export const tenantProcedure = authedProcedure.use(({ ctx, next }) =>
  next({ ctx: { tenantId: ctx.principal.tenant.id, userId: ctx.principal.kind === 'session' ? ctx.principal.user.id : null } }),
);

/**
 * Actions that put the tenant's SES account at risk (resuming after the
 * reputation guard): a signed-in owner who answers for the account, never a
 * member or an API key.
 */
export const ownerProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (ctx.principal.kind !== 'session') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner, signed in to Herald, can do this; an API key cannot.' });
  }
  if (ctx.principal.role !== 'owner') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an owner of this account can do this. Ask an owner.' });
  }
  return next({ ctx: { userId: ctx.principal.user.id } });
});

/** Actions only a signed-in person may take (not an API key), e.g. signing out. */
export const sessionProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.principal.kind !== 'session') throw new TRPCError({ code: 'FORBIDDEN', message: 'This action needs a signed-in user, not an API key.' });
  return next({ ctx: { session: ctx.principal } });
});
