import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sql } from 'postgres';
import { AppError } from '../errors.js';
import { pgRateLimitStore } from './pgRateLimitStore.js';

/** Failed sign-ins allowed per IP address and per email address in one window. */
export const LOGIN_FAILURES_ALLOWED = 10;
const WINDOW_MS = 15 * 60 * 1000;

export type LoginThrottle = {
  /** Throws TOO_MANY_REQUESTS when this IP or this email has failed too often. */
  check: (req: FastifyRequest, email: string) => Promise<void>;
  recordFailure: (req: FastifyRequest, email: string) => Promise<void>;
};

// keyGenerator only receives the request, so the key is handed over on it.
const throttleKey = Symbol('loginThrottleKey');
type Keyed = FastifyRequest & { [throttleKey]?: string };

/**
 * Counts failed sign-ins (successful ones cost nothing, so a team behind one
 * office IP isn't locked out by its own logins) with @fastify/rate-limit and
 * a Postgres store shared by every server process.
 *
 * The plugin takes its store when it is registered, and only then: a `store`
 * given to createRateLimit is ignored, which left each process counting in
 * its own memory (an attacker spreading guesses over N processes got N
 * allowances). So the throttle registers the plugin itself, with the store.
 */
export async function createLoginThrottle(app: FastifyInstance, sql: Sql): Promise<LoginThrottle> {
  await app.register(fastifyRateLimit, { global: false, store: pgRateLimitStore(sql, 'login') });
  const limiter = app.createRateLimit({
    max: LOGIN_FAILURES_ALLOWED,
    timeWindow: WINDOW_MS,
    keyGenerator: (req) => (req as Keyed)[throttleKey] ?? req.ip,
  });
  const keysFor = (req: FastifyRequest, email: string) => [`ip:${req.ip}`, `email:${email.trim().toLowerCase()}`];
  const run = async (req: FastifyRequest, key: string, increment: boolean) => {
    (req as Keyed)[throttleKey] = key;
    return limiter(req, { increment });
  };
  return {
    async check(req, email) {
      for (const key of keysFor(req, email)) {
        const result = await run(req, key, false);
        if (!result.isAllowed && result.remaining === 0) {
          const minutes = Math.max(1, Math.ceil(result.ttlInSeconds / 60));
          throw new AppError('TOO_MANY_REQUESTS', `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
        }
      }
    },
    async recordFailure(req, email) {
      for (const key of keysFor(req, email)) await run(req, key, true);
    },
  };
}
