/** Distributions of latencies (ms) and the update pattern a subscriber saw. */

/** Nearest-rank percentile of an ascending array. */
const pct = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
export type Dist = { p50: number; p95: number; p99: number; max: number; n: number };
export const dist = (xs: ArrayLike<number>): Dist => {
  const s = Float64Array.from(xs).sort();
  return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.length ? s[s.length - 1]! : NaN, n: s.length };
};
const ms = (x: number, digits = 1) => x.toFixed(digits);
export const showDist = (d: Dist, digits = 1) => `p50 ${ms(d.p50, digits)} / p95 ${ms(d.p95, digits)} / p99 ${ms(d.p99, digits)} / max ${ms(d.max, digits)} ms`;

/**
 * Latency of each accepted event for one subscriber: the first update whose `delivered` reaches
 * base + i, minus the i-th accept time (ascending). NaN where no update ever reached it.
 */
export function latenciesOf(accepts: Float64Array, at: number[], delivered: number[], base: number): Float64Array {
  const out = new Float64Array(accepts.length);
  let j = 0;
  for (let i = 0; i < accepts.length; i++) {
    while (j < at.length && delivered[j]! < base + i + 1) j++;
    out[i] = j < at.length ? at[j]! - accepts[i]! : NaN;
  }
  return out;
}

/** The shortest time between two consecutive updates, ms. */
export function minGap(at: number[]): number {
  let best = Infinity;
  for (let i = 1; i < at.length; i++) best = Math.min(best, at[i]! - at[i - 1]!);
  return best;
}

/** The most updates in any sliding second (the snapshot left out). */
export function maxPerSecond(at: number[]): number {
  let best = 0;
  for (let i = 1, j = 1; i < at.length; i++) {
    while (at[i]! - at[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
