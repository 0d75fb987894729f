/**
 * When did this process last run? A request is only taken up when the event loop gets to it; if the
 * loop was stalled (its own work, a garbage collection, or the OS or hypervisor not running it), the
 * request may have arrived any time since. SES stamps a send when it reaches AWS, so a simulator that
 * stamped such a request when it got to it would see evenly spaced sends bunched behind the stall,
 * something no sender could prevent. A watch ticking every few milliseconds bounds that uncertainty.
 */
export type LoopWatch = {
  /** How long before now the request in hand may have arrived unseen: 0 when the loop ran on time. */
  uncertaintyMs(): number;
  stop(): void;
};

/** A tick this often costs a few microseconds each: well under 1 % of a core. */
const TICK_MS = 2;
/** Lateness of an ordinary timer, not counted as a stall: what is left of the sender's margin covers it. */
const TIMER_SLACK_MS = 3;

export function createLoopWatch(): LoopWatch {
  let lastTick = performance.now();
  const timer = setInterval(() => (lastTick = performance.now()), TICK_MS);
  timer.unref();
  return {
    uncertaintyMs: () => {
      const sinceTick = performance.now() - lastTick;
      return sinceTick > TICK_MS + TIMER_SLACK_MS ? sinceTick : 0;
    },
    stop: () => clearInterval(timer),
  };
}
