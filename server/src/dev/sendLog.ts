const SECOND_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1_000;

/** Why a send does not fit: the per-second rate or the 24-hour quota. */
export type QuotaRefusal = 'rate' | 'daily';

/** How many recipients a send counts for: all against the rate, non-simulator ones against the daily quota. */
export interface SendWeight {
  rate: number;
  daily: number;
}

/**
 * What one account accepted in one region (SES quotas are per account and region, and count
 * recipients, not messages). A sliding log rather than a token bucket: SES counts what it accepted
 * in any one-second window, and a bucket of capacity N lets up to 2N through across a boundary.
 * The clock must not go backwards.
 */
export class SendLog {
  private readonly lastSecond = new SlidingCount(SECOND_MS);
  private readonly lastDay = new SlidingCount(DAY_MS);

  /**
   * When the send counts: the earliest moment in [from, to] at which it fits the rate, or 'rate' when
   * it fits nowhere in that span, 'daily' when the day's quota is spent. `from` is the earliest the
   * send may have arrived, `to` when it was taken up (see ActionContext.arrivedAfter): counting each
   * send as early as it can leaves the sends after it the most room, and when `from` equals `to` this
   * is the plain sliding-window check at `to`. The daily quota is checked first: it outlasts the rate,
   * so it is the more useful answer.
   */
  place(span: { from: number; to: number }, weight: SendWeight, maxSendRate: number, max24HourSend: number): number | QuotaRefusal {
    const { to } = span;
    if (max24HourSend >= 0 && weight.daily > 0 && this.lastDay.count(to) + weight.daily > max24HourSend) return 'daily';
    // How many earlier sends the window may still hold; a message with more recipients than the rate
    // could never pass, so it needs an empty window.
    const room = Math.max(0, Math.floor(maxSendRate - weight.rate));
    const at = Math.max(span.from, this.lastSecond.leavesWindowAt(room));
    return at <= to ? at : 'rate';
  }

  record(now: number, weight: SendWeight): void {
    this.lastSecond.count(now); // drops what left the window, so the log holds about a second of sends
    this.lastSecond.add(now, weight.rate);
    this.lastDay.add(now, weight.daily);
  }

  /** The time of the latest recorded send (-Infinity before the first). */
  latest(): number {
    return this.lastSecond.latest();
  }

  sentLast24Hours(now: number): number {
    return this.lastDay.count(now);
  }
}

/** Events in the window (now - windowMs, now], one entry per counted unit. */
class SlidingCount {
  /** Ascending times; entries before `head` have left the window. */
  private times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  latest(): number {
    return this.times.at(-1) ?? -Infinity;
  }

  /**
   * The earliest time at which the window holds at most `room` of the recorded events: an event at x
   * is in the window at t while x > t - windowMs, so the (room + 1)-th latest must be at or before it.
   */
  leavesWindowAt(room: number): number {
    const kept = this.times[this.times.length - room - 1];
    return kept === undefined ? -Infinity : kept + this.windowMs;
  }

  add(now: number, units: number): void {
    for (let i = 0; i < units; i += 1) this.times.push(now);
  }

  count(now: number): number {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= cutoff) this.head += 1;
    // Compact once the dead prefix dominates, so memory stays proportional to the window.
    if (this.head > 1_024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}
