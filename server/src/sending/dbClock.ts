/**
 * Where the database's clock stands against this process's performance.now(), for the rate limiter.
 *
 * A reservation reads the database clock somewhere between sending its statement (plus the time
 * the statement waited for the row lock) and receiving the answer. Alone, that places the offset
 * between the two clocks only to within the round trip, and a slot tolerates 10 ms of lateness: a
 * reservation whose round trip took longer could not send a single slot on time. Under load, round
 * trips of 20–120 ms are common (bench/scale-out: over half of them above 10 ms, and every slot of those
 * missed, wasted, and taken again). Both clocks advance at the same rate, up to a drift allowance, so
 * the bounds from the round trips of the last few seconds intersect, and the intersection is as
 * narrow as the tightest of them. It is never wrong where a single round trip's bounds are right:
 * each bound comes from a real round trip, widened by the most the clocks could have drifted since.
 */

/** A round trip: the database clock it read (epoch ms), and performance.now() around it. */
export type ClockSample = { dbMs: number; sentAt: number; queuedMs: number; receivedAt: number };

/** The offset (database clock − performance.now()) lies within [low, high]. */
export type ClockBounds = { low: number; high: number };

export type DbClock = {
  /** Records a round trip and answers the bounds it and the recent ones allow together. */
  observe: (sample: ClockSample) => ClockBounds;
};

/**
 * How fast the clocks may drift apart: NTP slews a clock by at most 500 ppm, and either side may be
 * slewing. Samples older than the window are dropped; at the end of it a bound has widened by 5 ms.
 */
const DRIFT_PER_MS = 1e-3;
const WINDOW_MS = 5_000;
const MAX_SAMPLES = 64;

/** The bounds one round trip gives: the clock was read after the statement was sent and had queued, and before the answer came. */
export function boundsOf(sample: ClockSample): ClockBounds {
  return { low: sample.dbMs - sample.receivedAt, high: sample.dbMs - sample.sentAt - sample.queuedMs };
}

export function createDbClock(): DbClock {
  let recent: { bounds: ClockBounds; at: number }[] = [];
  return {
    observe(sample) {
      const own = boundsOf(sample);
      const now = sample.receivedAt;
      recent = recent.filter((s) => now - s.at <= WINDOW_MS).slice(-(MAX_SAMPLES - 1));
      let { low, high } = own;
      for (const s of recent) {
        const drift = (now - s.at) * DRIFT_PER_MS;
        low = Math.max(low, s.bounds.low - drift);
        high = Math.min(high, s.bounds.high + drift);
      }
      if (low > high) {
        // The bounds contradict each other: one clock stepped (NTP, a database failover). Start afresh.
        recent = [];
        ({ low, high } = own);
      }
      recent.push({ bounds: own, at: now });
      return { low, high };
    },
  };
}
