import type { FastifyRequest } from 'fastify';
import { findApiKey, type ApiKeyPrincipal } from '../services/account/apiKeys.js';
import type { Deps } from '../deps.js';
import { findSession, type SessionPrincipal } from '../services/account/sessions.js';
import { readSessionCookie } from './sessionCookie.js';

export type Principal = SessionPrincipal | ApiKeyPrincipal;

export type Authentication = {
  principal: Principal | null;
  /** Why presented credentials were refused, for a precise UNAUTHORIZED message. */
  authProblem: string | null;
};

/** Resolves who is calling: an API key (Authorization: Bearer) wins over the session cookie. */
export async function authenticate(deps: Deps, req: FastifyRequest): Promise<Authentication> {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = match?.[1] ? await findApiKey(deps, match[1]) : null;
    return { principal, authProblem: principal ? null : 'The API key is invalid or has been revoked.' };
  }
  const token = readSessionCookie(req);
  if (token === undefined) return { principal: null, authProblem: null };
  const principal = await findSession(deps, token);
  return { principal, authProblem: principal ? null : 'Your session has expired. Sign in again.' };
}
