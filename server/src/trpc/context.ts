import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { LoginThrottle } from '../http/loginThrottle.js';
import { readSessionCookie } from '../http/sessionCookie.js';
import { findApiKey, type ApiKeyPrincipal } from '../services/apiKeys.js';
import type { Deps } from '../services/deps.js';
import { findSession, type SessionPrincipal } from '../services/sessions.js';

export type Principal = SessionPrincipal | ApiKeyPrincipal;

export type Context = CreateFastifyContextOptions & {
  deps: Deps;
  loginThrottle: LoginThrottle;
  principal: Principal | null;
  /** Why the presented credentials were refused, for a precise UNAUTHORIZED message. */
  authProblem: string | null;
};

export function contextFactory(deps: Deps, loginThrottle: LoginThrottle) {
  return async (opts: CreateFastifyContextOptions): Promise<Context> => {
    const base = { ...opts, deps, loginThrottle };
    const authorization = opts.req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const principal = match?.[1] ? await findApiKey(deps, match[1]) : null;
      return { ...base, principal, authProblem: principal ? null : 'The API key is invalid or has been revoked.' };
    }
    const token = readSessionCookie(opts.req);
    if (token === undefined) return { ...base, principal: null, authProblem: null };
    const principal = await findSession(deps, token);
    return { ...base, principal, authProblem: principal ? null : 'Your session has expired. Sign in again.' };
  };
}
