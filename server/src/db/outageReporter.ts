import type { Logger } from '../logging/logger.js';
import { isDatabaseUnavailable } from './unavailable.js';

/** One warning per this long while the database stays down, however many requests and loops fail. */
const REPORT_EVERY_MS = 10_000;

export type OutageReporter = {
  /** A failure caused by the database being unreachable (see isDatabaseUnavailable), from `where`. */
  failed: (where: string, err: unknown) => void;
};

/**
 * Turns a stream of "database unreachable" failures into a few log lines:
 * during an outage every request, job and loop fails at once, and a stack
 * trace per failure would bury the one line an operator needs. The first
 * failure is logged at once, then one summary per interval with the count
 * and the places they came from.
 */
export function createOutageReporter(logger: Logger, now: () => number = Date.now): OutageReporter {
  let lastReport = -Infinity;
  let suppressed = 0;
  const places = new Set<string>();
  return {
    failed(where, err) {
      const at = now();
      places.add(where);
      if (at - lastReport < REPORT_EVERY_MS) {
        suppressed += 1;
        return;
      }
      const reason = err instanceof Error ? err.message : String(err);
      logger.warn({ where: [...places], failuresSinceLastReport: suppressed, reason }, 'database unavailable: answering 503 and pausing work until it is back');
      lastReport = at;
      suppressed = 0;
      places.clear();
    },
  };
}

/**
 * For background work (loops, schedulers, job runners): a failure because
 * the database is unreachable goes to the outage reporter, anything else is
 * logged as an error with its stack, as before.
 */
export function logFailure(
  deps: { logger: Logger; outage: OutageReporter },
  where: string,
  err: unknown,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (isDatabaseUnavailable(err)) deps.outage.failed(where, err);
  else deps.logger.error({ err, ...fields }, message);
}
