/**
 * Whether an error means "the database cannot be reached right now" (down,
 * restarting, refusing connections, a connection cut mid-query), as opposed
 * to a query that failed on its merits. Callers answer the first with 503
 * and a retry later, never with a 500 and a stack trace per request.
 */

/** Socket errors, and postgres.js's own codes for a connection that closed or never opened. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATEs of a server going away or not there yet: admin_shutdown (a restart ends every session),
 * crash_shutdown, cannot_connect_now (starting up or in recovery), too_many_connections.
 */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres (graphile-worker's driver) reports a cut connection by message only. */
const LOST_CONNECTION_MESSAGE = /^Connection terminated|connection error and is not queryable|Connection terminated unexpectedly/;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || SERVER_STATES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && LOST_CONNECTION_MESSAGE.test(e.message)) return true;
  // Node reports a refused connect to a name with several addresses as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** What a caller is told while the database is down: the same words on every route. */
export const DATABASE_UNAVAILABLE_MESSAGE = "Herald's database is unavailable right now. Please try again in a minute.";

/** Seconds a client should wait before trying again (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;
