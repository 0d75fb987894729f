import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'herald_session';

export function readSessionCookie(req: FastifyRequest): string | undefined {
  return req.cookies[SESSION_COOKIE];
}

export function setSessionCookie(reply: FastifyReply, publicUrl: URL, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: publicUrl.protocol === 'https:',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: URL): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: publicUrl.protocol === 'https:', path: '/' });
}
