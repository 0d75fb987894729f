import type { SubscriberRecord } from '../metrics-client.js';
import { median } from '../lib.js';
import { dist, latenciesOf, maxPerSecond, minGap, type Dist } from './stats.js';

export type SubscriberFigures = {
  /** All subscribers' latencies pooled, and each one's p95. */
  latency: Dist;
  perSubscriberP95: Dist;
  updatesPerSecond: number;
  maxUpdatesInASecond: number;
  minGapMs: number;
  /** First → last subscriber to receive the same state (states every subscriber received), ms. */
  spread: Dist;
  /** Accept → the first subscriber to show it. */
  firstLatency: Dist;
  onFinal: number;
  problems: string[];
};

/**
 * What the subscribers saw of the accepted events (accept times ascending):
 * latencies, update rates, and whatever went wrong (`finalId`: the event id
 * of the campaign's final state).
 */
export function subscriberFigures(accepts: Float64Array, subs: SubscriberRecord[], finalId: string, subscriberCount: number): SubscriberFigures {
  const problems: string[] = [];
  const pooled = new Float64Array(accepts.length * subs.length);
  const p95s: number[] = [];
  let never = 0;
  let wentBack = 0;
  let reconnected = 0;
  let errors = 0;
  const rates: number[] = [];
  const maxima: number[] = [];
  const gaps: number[] = [];
  subs.forEach((s, k) => {
    const base = s.delivered[0] ?? 0;
    const lat = latenciesOf(accepts, s.at, s.delivered, base);
    pooled.set(lat, k * accepts.length);
    never += lat.filter(Number.isNaN).length;
    p95s.push(dist(lat.filter((x) => !Number.isNaN(x))).p95);
    if (s.delivered.some((d, i) => i > 0 && d < s.delivered[i - 1]!)) wentBack += 1;
    if (s.states.filter((st) => st === 'connecting').length > 1) reconnected += 1;
    errors += s.errors.length;
    const updates = s.at.length - 1;
    rates.push(updates / ((s.at.at(-1)! - accepts[0]!) / 1000));
    maxima.push(maxPerSecond(s.at));
    gaps.push(minGap(s.at));
  });
  // How long one state takes to reach every subscriber: first to last arrival of each state all of them got.
  const arrivals = new Map<number, { first: number; last: number; n: number }>();
  for (const s of subs) {
    for (let i = 1; i < s.at.length; i++) {
      const a = arrivals.get(s.delivered[i]!) ?? { first: Infinity, last: -Infinity, n: 0 };
      arrivals.set(s.delivered[i]!, { first: Math.min(a.first, s.at[i]!), last: Math.max(a.last, s.at[i]!), n: a.n + 1 });
    }
  }
  const spreads = [...arrivals.values()].filter((a) => a.n === subs.length).map((a) => a.last - a.first);
  // The same latency for whichever subscriber saw each state first: what the fan-out to all of them adds is the rest.
  const firsts = [...arrivals].map(([d, a]) => [a.first, d] as const).sort((x, y) => x[0] - y[0]);
  const firstLatency = dist(latenciesOf(accepts, firsts.map((f) => f[0]), firsts.map((f) => f[1]), Math.min(...subs.map((s) => s.delivered[0] ?? 0))).filter((x) => !Number.isNaN(x)));
  const onFinal = subs.filter((s) => s.lastId === finalId).length;
  if (onFinal < subscriberCount) problems.push(`${subscriberCount - onFinal} of ${subscriberCount} subscriber(s) did not end on the final state`);
  if (never > 0) problems.push(`${never} (subscriber, event) pairs never seen`);
  if (wentBack > 0) problems.push(`${wentBack} subscriber(s) saw delivered go back`);
  if (reconnected > 0) problems.push(`${reconnected} subscriber(s) reconnected`);
  if (errors > 0) problems.push(`${errors} subscription error(s): ${subs.flatMap((s) => s.errors).slice(0, 3).join(' | ')}`);
  return {
    latency: dist(pooled.filter((x) => !Number.isNaN(x))),
    perSubscriberP95: dist(p95s),
    updatesPerSecond: median(rates),
    maxUpdatesInASecond: Math.max(...maxima),
    minGapMs: Math.min(...gaps),
    spread: dist(spreads),
    firstLatency,
    onFinal,
    problems,
  };
}
