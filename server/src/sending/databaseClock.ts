import type { Sql } from 'postgres';

/**
 * Where the database clock stands against this process's `performance.now()`, from the round trips
 * of recent slot reservations. Each reservation bounds the offset (database − local): the database
 * read its clock before the answer arrived (lower bound) and started the statement after it was sent
 * (upper bound). One round trip alone gives wide bounds whenever the query waited in the pool's queue
 * or for a CPU on a busy machine, and a slot then looked missed though it was not (bench/scale-out: a
 * third of all slots). The tightest bounds of the last few seconds are as safe and much narrower.
 *
 * The window is short because the two clocks drift apart: the database's wall clock may be slewed by
 * NTP (at most 500 ppm, 2.5 ms over the window), well inside the limiter's margin (rateLimiter.ts).
 */
export type ClockSample = {
  /** Local time the statement was sent. */
  requestedAt: number;
  /** Local time the answer arrived. */
  receivedAt: number;
  /** Database clock when the statement started, epoch ms. */
  startedMs: number;
  /** Database clock when the statement read it, epoch ms. */
  nowMs: number;
};

export type OffsetBounds = { lower: number; upper: number };

const WINDOW_MS = 5_000;
/** Plenty for tight bounds; keeps the scan per reservation short for a process sending thousands per second. */
const MAX_SAMPLES = 256;

type Bounded = OffsetBounds & { receivedAt: number };

/** Recent samples per database pool: the offset belongs to this process and that database server. */
const recent = new WeakMap<Sql, Bounded[]>();

/** Records a reservation's round trip and answers the tightest offset bounds of the window. */
export function databaseClockOffset(sql: Sql, sample: ClockSample): OffsetBounds {
  const own: Bounded = { lower: sample.nowMs - sample.receivedAt, upper: sample.startedMs - sample.requestedAt, receivedAt: sample.receivedAt };
  let samples = recent.get(sql);
  if (!samples) recent.set(sql, (samples = []));
  samples.push(own);
  const since = sample.receivedAt - WINDOW_MS;
  let drop = 0;
  while (drop < samples.length && (samples[drop]!.receivedAt < since || samples.length - drop > MAX_SAMPLES)) drop += 1;
  if (drop > 0) samples.splice(0, drop);
  let { lower, upper } = own;
  for (const s of samples) {
    if (s.lower > lower) lower = s.lower;
    if (s.upper < upper) upper = s.upper;
  }
  // Bounds that cross mean the clocks moved against each other (a clock step): trust this round trip alone.
  if (lower > upper) {
    samples.splice(0, samples.length, own);
    return { lower: own.lower, upper: own.upper };
  }
  return { lower, upper };
}
