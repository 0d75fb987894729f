import type { FastifyRequest } from 'fastify';

/**
 * CSRF defence for cookie-authenticated writes: the browser's Origin (or,
 * failing that, Referer) must be Herald's own public origin or the host the
 * request was sent to (the Vite dev proxy keeps the browser's Host header).
 */
export function isSameOrigin(req: FastifyRequest, publicUrl: URL): boolean {
  const claimed = originOf(req);
  if (!claimed) return false;
  if (claimed === publicUrl.origin) return true;
  const host = req.headers.host;
  return host !== undefined && (claimed === `http://${host}` || claimed === `https://${host}`);
}

export function hasOriginHeader(req: FastifyRequest): boolean {
  return originOf(req) !== null;
}

function originOf(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return origin;
  const referer = req.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}
