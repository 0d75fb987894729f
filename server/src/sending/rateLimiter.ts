import type { Sql } from 'postgres';
import { boundsOf, type DbClock } from './dbClock.js';

/**
 * Per-tenant send-rate limiter shared by every worker process on every
 * machine: GCRA with no burst over one row of `send_rate_buckets`.
 *
 * Why not a token bucket: one whose capacity equals the rate lets up to twice
 * the rate through in one sliding second, and SES counts per second. GCRA
 * spaces sends instead: each send takes the slot max(now, tat) and pushes tat
 * one interval further, so consecutive slots are never closer than the
 * interval, whoever reserved them.
 *
 * Margin: the interval is 1000 / rate × (1 + SEND_RATE_MARGIN). rate + 1
 * consecutive slots then span 1000 × (1 + margin) ms, so a send may reach SES
 * up to 1000 × margin ms (20 ms) later than its slot, relative to the others,
 * before any one-second window could hold more than `rate` sends. Half of that
 * is checked locally (see notAfter and waitForSlot.ts: DB round trip plus timer
 * lateness), the other half is left for network jitter on the way to SES.
 * 2 % keeps the achieved rate at 98 % of the limit (13.73/s of 14/s).
 *
 * Clock: "now" is the database server's clock, read after the row lock is
 * taken, so workers whose own clocks disagree still share one timeline. Only
 * durations (waitMs) leave the database, and durations survive clock skew.
 *
 * Fractional rates (SES MaxSendRate is a double) are spaced at 1000 / rate;
 * a one-second window then holds at most ceil(rate) sends, the least any
 * schedule can promise while still sending at that rate.
 */

/** Extra spacing between sends, as a fraction of the interval (see above). */
export const SEND_RATE_MARGIN = 0.02;
/** Local lateness a slot tolerates: DB round trip + sleep overshoot. Half of 1000 × margin. */
export const SLOT_LATENESS_TOLERANCE_MS = 10;
/** Longer waits are refused so the job is rescheduled instead of holding a worker for minutes. */
export const DEFAULT_MAX_WAIT_MS = 30_000;
/** SES's rate in an account it knows nothing better for (the plan's default). */
export const DEFAULT_SEND_RATE = 14;
/** Below this, a reported rate is treated as this (one send per 10 s). */
export const MIN_SEND_RATE = 0.1;

export type RateLimiterDeps = {
  /**
   * Used outside any transaction: the row lock must end with the statement,
   * not after the sleep, and the asynchronous commit (see takeSlots) must not
   * spread to the caller's writes.
   */
  sql: Sql;
  /** Epoch ms standing in for the database clock. Tests only: production workers must share the database's clock. */
  databaseNow?: () => number;
  /** The process's reckoning of the database clock from recent round trips; without it, each reservation's own round trip bounds it. */
  clock?: DbClock;
};

export type SendSlot = {
  /** The slot on the database clock, epoch ms (tests, logs). */
  at: number;
  /** How long after the reservation returned the send is due; 0 = now. */
  waitMs: number;
  /**
   * The local send window on performance.now()'s scale: sending before
   * notBefore could be early; after notAfter the slot is missed (it might
   * crowd later slots) and the send must take a new one. waitForSlot() honours both.
   */
  notBefore: number;
  notAfter: number;
};

export type SlotReservation = {
  /** Granted slots in order, possibly fewer than asked (none) when the rest would wait past maxWaitMs. */
  slots: SendSlot[];
  /** Wait until the first slot not granted; what to reschedule the rest of the work for. */
  nextFreeInMs: number;
};

export type ReserveInput = { tenantId: string; ratePerSec: number; maxWaitMs?: number };

/** The limiter's rate: the lower of the tenant's cap and SES's MaxSendRate that are known; 14/s when neither is. */
export function effectiveRate(tenantCap: number | null, sesMaxSendRate: number | null): number {
  // SES answers 0 when it reports no quota (ses/account.ts): unknown, not "never send".
  const known = [tenantCap, sesMaxSendRate].filter((r): r is number => r != null && Number.isFinite(r) && r > 0);
  return known.length ? Math.max(MIN_SEND_RATE, Math.min(...known)) : DEFAULT_SEND_RATE;
}

/** Milliseconds between two consecutive sends of one tenant at `ratePerSec`. */
export function sendInterval(ratePerSec: number): number {
  return (1000 / ratePerSec) * (1 + SEND_RATE_MARGIN);
}

/** Takes the tenant's next send slot, or refuses ({ reserved: false }) when it is more than maxWaitMs away. */
export async function reserveSendSlot(
  deps: RateLimiterDeps,
  input: ReserveInput,
): Promise<({ reserved: true } & SendSlot) | { reserved: false; waitMs: number }> {
  const { slots, nextFreeInMs } = await reserveSendSlots(deps, { ...input, count: 1 });
  const slot = slots[0];
  return slot ? { reserved: true, ...slot } : { reserved: false, waitMs: nextFreeInMs };
}

/**
 * Takes up to `count` consecutive send slots for the tenant in one atomic
 * statement: as many as start within maxWaitMs. A refused slot leaves the
 * limiter untouched; a granted slot that goes unused only wastes capacity.
 */
export async function reserveSendSlots(deps: RateLimiterDeps, input: ReserveInput & { count: number }): Promise<SlotReservation> {
  const { tenantId, ratePerSec, count, maxWaitMs = DEFAULT_MAX_WAIT_MS } = input;
  if (!(Number.isFinite(ratePerSec) && ratePerSec > 0)) throw new RangeError(`ratePerSec must be a positive number, got ${ratePerSec}`);
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!(maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be ≥ 0, got ${maxWaitMs}`);
  const interval = sendInterval(ratePerSec);
  let taken = await takeSlots(deps, tenantId, interval, count, maxWaitMs);
  if (!taken) {
    // First reservation for this tenant: create its row, then reserve as usual.
    await deps.sql`
      insert into send_rate_buckets (tenant_id, tat) values (${tenantId}, '-infinity')
      on conflict (tenant_id) do nothing`;
    taken = await takeSlots(deps, tenantId, interval, count, maxWaitMs);
    if (!taken) throw new Error('send_rate_buckets row vanished while reserving (tenant deleted?)');
  }
  const { row, requestedAt, receivedAt } = taken;
  const sample = { dbMs: row.nowMs, sentAt: requestedAt, queuedMs: row.queuedMs, receivedAt };
  // A fixed databaseNow does not advance with the local clock: only its own round trip bounds it.
  const offset = deps.clock && !deps.databaseNow ? deps.clock.observe(sample) : boundsOf(sample);
  const slots: SendSlot[] = [];
  for (let i = 0; i < row.granted; i++) {
    const at = row.startMs + i * interval;
    // The slot is at local time `at − offset`, offset within [low, high] (dbClock.ts): waking at the
    // latest such time is never early, and lateness measured from the earliest is never underestimated.
    slots.push({ at, waitMs: at - row.nowMs, notBefore: at - offset.low, notAfter: at - offset.high + SLOT_LATENESS_TOLERANCE_MS });
  }
  return { slots, nextFreeInMs: row.startMs + row.granted * interval - row.nowMs };
}

type TakeRow = { startMs: number; nowMs: number; queuedMs: number; granted: number };

/**
 * One statement, so the row lock lasts only as long as it: `locked` takes the
 * row lock (and, under READ COMMITTED, the newest tat another worker just
 * committed); the clock is read after that, since a clock read before a lock
 * wait would be stale (queuedMs says how long the statement waited before
 * reading it); the update then moves tat past the granted slots.
 *
 * The statement commits asynchronously (set_config(…, true) lasts until the
 * end of its implicit transaction): an fsync would put milliseconds of
 * jitter between the clock read and the send, eating the margin. The price:
 * a database crash can forget the last ~0.6 s (3 × wal_writer_delay) of
 * reservations and hand those slots out again once, after recovery.
 *
 * Undefined when the tenant has no row yet.
 */
async function takeSlots(deps: RateLimiterDeps, tenantId: string, interval: number, count: number, maxWaitMs: number) {
  const fixedNow = deps.databaseNow?.() ?? null;
  const requestedAt = performance.now();
  const [row] = await deps.sql<TakeRow[]>`
    with locked as materialized (
      select tat from send_rate_buckets where tenant_id = ${tenantId} for update
    ),
    clocked as materialized (
      select tat,
        coalesce(to_timestamp(${fixedNow}::float8 / 1000), clock_timestamp()) as now,
        extract(epoch from clock_timestamp() - statement_timestamp())::float8 * 1000 as queued_ms
      from locked
    ),
    planned as (
      select now, queued_ms, greatest(tat, now) as start from clocked
    ),
    granted as (
      select now, queued_ms, start,
        least(${count}::int, greatest(0, floor(
          (extract(epoch from now - start)::float8 * 1000 + ${maxWaitMs}::float8) / ${interval}::float8
        ) + 1))::int as granted
      from planned
    ),
    async_commit as materialized (
      select set_config('synchronous_commit', 'off', true)
    )
    update send_rate_buckets b
    set tat = g.start + make_interval(secs => g.granted * ${interval}::float8 / 1000), updated_at = now()
    from granted g, async_commit
    where b.tenant_id = ${tenantId}
    returning
      extract(epoch from g.start)::float8 * 1000 as "startMs",
      extract(epoch from g.now)::float8 * 1000 as "nowMs",
      g.queued_ms as "queuedMs",
      g.granted`;
  return row && { row, requestedAt, receivedAt: performance.now() };
}
