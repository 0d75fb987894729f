import { maxSendsInAnyWindow } from '../../src/testing/sendWindows.js';

/**
 * The scale-out run's figures, from what the simulator accepted and what the
 * database holds: plain functions over plain data, so the bench and the test
 * compute them alike.
 */

/** Statuses of a message that went through SES (an event may have moved it on from `sent`). */
const REACHED_SES = new Set(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained']);
/** Statuses that end a message without SES accepting it. */
const ENDED_UNSENT = new Set(['rejected', 'failed', 'suppressed', 'cancelled']);
/**
 * The SES call's answer was lost (a timeout): Herald never sends it again. Final once the events are in: had
 * SES accepted it, its Send event (carrying Herald's tag) would have made it `sent`, so it must have no accept.
 */
const OUTCOME_LOST = 'unknown';

/** Sends per second over [first, last] accept: n sends span n − 1 intervals, so neither edge second is half counted. */
export function achievedRate(sortedTimes: readonly number[]): number {
  if (sortedTimes.length < 2) return 0;
  return ((sortedTimes.length - 1) / (sortedTimes.at(-1)! - sortedTimes[0]!)) * 1000;
}

/** The accept times within [from, to]. */
export const within = (sortedTimes: readonly number[], from: number, to: number) => sortedTimes.filter((t) => t >= from && t <= to);

/** Where every tenant was sending: from the latest first accept to the earliest last accept (null if they never overlapped). */
export function overlap(sortedTimesPerTenant: readonly (readonly number[])[]): { from: number; to: number } | null {
  const from = Math.max(...sortedTimesPerTenant.map((t) => t[0] ?? Infinity));
  const to = Math.min(...sortedTimesPerTenant.map((t) => t.at(-1) ?? -Infinity));
  return from < to ? { from, to } : null;
}

export type RateFigures = { busiestSecond: number; achieved: number; spanS: number };

export function rateFigures(sortedTimes: readonly number[]): RateFigures {
  return {
    busiestSecond: maxSendsInAnyWindow(sortedTimes),
    achieved: achievedRate(sortedTimes),
    spanS: sortedTimes.length < 2 ? 0 : (sortedTimes.at(-1)! - sortedTimes[0]!) / 1000,
  };
}

export type MessageRow = { id: string; status: string; provider: string | null };
export type Accepted = { messageId: string; tags: Record<string, string> };

export type OnceFigures = {
  recipients: number;
  /** Rows that went through SES, each accepted exactly once under the MessageId Herald stored. */
  sent: number;
  /** Rows ended without SES (failed, rejected, suppressed, cancelled, or `unknown` with no accept), none of them accepted. */
  otherTerminal: number;
  /** Of those, `unknown` ones: SES calls whose answer was lost before SES had the message. */
  unknown: number;
  /** Rows not in a final status (queued, sending). */
  notTerminal: number;
  /** Messages the simulator accepted more than once. */
  acceptedTwice: number;
  /** Rows whose accepts disagree with their status: a sent row not accepted exactly once under its id, or an unsent row accepted. */
  mismatched: number;
  /** Accepts of the campaign naming no row of it. */
  strayAccepts: number;
};

/** Every message terminal exactly once: its status final, and SES's accepts agreeing with it one to one. */
export function onceFigures(rows: readonly MessageRow[], accepted: readonly Accepted[]): OnceFigures {
  const acceptsOf = new Map<string, string[]>();
  for (const m of accepted) {
    const id = m.tags.herald_message ?? '';
    acceptsOf.set(id, [...(acceptsOf.get(id) ?? []), m.messageId]);
  }
  const figures: OnceFigures = { recipients: rows.length, sent: 0, otherTerminal: 0, unknown: 0, notTerminal: 0, acceptedTwice: 0, mismatched: 0, strayAccepts: 0 };
  const ids = new Set(rows.map((r) => r.id));
  figures.strayAccepts = accepted.filter((m) => !ids.has(m.tags.herald_message ?? '')).length;
  figures.acceptedTwice = [...acceptsOf.values()].filter((a) => a.length > 1).length;
  for (const row of rows) {
    const accepts = acceptsOf.get(row.id) ?? [];
    if (REACHED_SES.has(row.status)) {
      if (accepts.length === 1 && accepts[0] === row.provider) figures.sent += 1;
      else figures.mismatched += 1;
    } else if (ENDED_UNSENT.has(row.status) || row.status === OUTCOME_LOST) {
      if (accepts.length > 0) figures.mismatched += 1;
      else if (row.status === OUTCOME_LOST) [figures.otherTerminal, figures.unknown] = [figures.otherTerminal + 1, figures.unknown + 1];
      else figures.otherTerminal += 1;
    } else figures.notTerminal += 1;
  }
  return figures;
}

/** Everything that is not exactly once: zero when sent + other terminals = recipients and nothing was accepted twice or astray. */
export const onceViolations = (f: OnceFigures) => f.recipients - f.sent - f.otherTerminal + f.acceptedTwice + f.strayAccepts;
