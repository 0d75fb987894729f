import { createHistogram } from 'node:perf_hooks';

/**
 * When did this process last run? A request is only taken up when the event loop gets to it; if the
 * loop was stalled (its own work, a garbage collection, or the OS or hypervisor not running it), the
 * request may have arrived any time since. SES stamps a send when it reaches AWS, so a simulator that
 * stamped such a request when it got to it would see evenly spaced sends bunched behind the stall,
 * something no sender could prevent. A timer ticking every few milliseconds bounds that uncertainty.
 *
 * The timer costs 1–2 % of a core, so it runs only while SES calls come in: it starts at a call and
 * stops once none came for a while. A call after such a pause gets no allowance (the loop was idle).
 */
export type LoopWatch = {
  /** How long before now the call in hand may have arrived unseen (ms): 0 when the loop ran on time. */
  uncertaintyMs(): number;
  /** How late the ticks ran while the watch ran, since the last reset (ms). */
  lateness(): { p50Ms: number; p99Ms: number; maxMs: number; samples: number };
  resetLateness(): void;
  stop(): void;
};

const TICK_MS = 5;
/** Lateness of an ordinary timer, not counted as a stall: what is left of the sender's margin covers it. */
const TIMER_SLACK_MS = 3;
/** The watch stops after this long without a call. */
const IDLE_STOP_MS = 2_000;

export function createLoopWatch(): LoopWatch {
  const late = createHistogram();
  let timer: NodeJS.Timeout | null = null;
  let lastTick = 0;
  /** When the tick before a late one ran: the stall that tick ended began after it. */
  let stallBegan: number | null = null;
  let lastCall = 0;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const tick = () => {
    const now = performance.now();
    // Microseconds, at least 1: the histogram takes positive integers.
    late.record(Math.max(1, Math.round((now - lastTick - TICK_MS) * 1000)));
    stallBegan = now - lastTick > TICK_MS + TIMER_SLACK_MS ? lastTick : null;
    lastTick = now;
    if (now - lastCall > IDLE_STOP_MS) stop();
  };
  const ms = (us: number) => (late.count === 0 ? 0 : Math.round(us / 10) / 100);
  return {
    uncertaintyMs: () => {
      const now = performance.now();
      lastCall = now;
      if (!timer) {
        lastTick = now;
        stallBegan = null;
        timer = setInterval(tick, TICK_MS);
        timer.unref();
        return 0;
      }
      // The loop came back from a stall and has not ticked on time since: timers run first in its turn,
      // so the late tick has reset lastTick, but a request taken up after it may have waited through the
      // whole stall (seen: a 62 ms stall, then a send stamped 50 ms late and refused for the rate).
      if (stallBegan !== null) return now - stallBegan;
      const sinceTick = now - lastTick;
      return sinceTick > TICK_MS + TIMER_SLACK_MS ? sinceTick : 0;
    },
    lateness: () => ({ p50Ms: ms(late.percentile(50)), p99Ms: ms(late.percentile(99)), maxMs: ms(late.max), samples: late.count }),
    resetLateness: () => late.reset(),
    stop,
  };
}
