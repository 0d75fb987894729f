const SECOND_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1_000;

export type QuotaVerdict = 'ok' | 'rate' | 'daily';

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

  /** The daily quota is checked first: it outlasts the rate, so it is the more useful answer. */
  check(now: number, weight: SendWeight, maxSendRate: number, max24HourSend: number): QuotaVerdict {
    if (max24HourSend >= 0 && weight.daily > 0 && this.lastDay.count(now) + weight.daily > max24HourSend) return 'daily';
    const inLastSecond = this.lastSecond.count(now);
    // A message with more recipients than the rate could never pass; let it through an empty window.
    if (inLastSecond > 0 && inLastSecond + weight.rate > maxSendRate) return 'rate';
    return 'ok';
  }

  record(now: number, weight: SendWeight): void {
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
