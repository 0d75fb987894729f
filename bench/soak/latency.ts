/**
 * The load client's record of every answer: when it came (epoch ms), how
 * long it took, whether it was a 200. Kept in growing typed arrays (a
 * 30-minute soak posts about a million), so the percentiles of any window,
 * such as "outside the outage", can be worked out at the end.
 */
export type MinuteFigures = { answered: number; accepted: number; refused: number; p99: number };

const percentile = (sorted: Float32Array, p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

export function newLatencyLog() {
  let at = new Float64Array(1 << 16);
  let ms = new Float32Array(1 << 16);
  let ok = new Uint8Array(1 << 16);
  let n = 0;
  let minuteFrom = 0;
  const grow = () => {
    const next = <T extends Float64Array | Float32Array | Uint8Array>(a: T, make: (len: number) => T) => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    at = next(at, (l) => new Float64Array(l));
    ms = next(ms, (l) => new Float32Array(l));
    ok = next(ok, (l) => new Uint8Array(l));
  };
  /** p99 and max latency of the 200s whose answer time passes `keep`. */
  const percentiles = (keep: (t: number) => boolean, from = 0) => {
    const picked: number[] = [];
    for (let i = from; i < n; i++) if (ok[i] && keep(at[i]!)) picked.push(ms[i]!);
    const sorted = Float32Array.from(picked).sort();
    return { p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0, count: sorted.length };
  };
  return {
    add: (t: number, latencyMs: number, accepted: boolean) => {
      if (n === at.length) grow();
      at[n] = t;
      ms[n] = latencyMs;
      ok[n] = accepted ? 1 : 0;
      n += 1;
    },
    percentiles,
    /** The answers since the last call. */
    minute: (): MinuteFigures => {
      const from = minuteFrom;
      minuteFrom = n;
      const { p99, count } = percentiles(() => true, from);
      return { answered: n - from, accepted: count, refused: n - from - count, p99 };
    },
    /**
     * The `k` seconds with the most 200s slower than `slowMs`, outside what
     * `keep` leaves out: when a p99 is missed, whether the slow answers come
     * spread out or in bursts (and when, to match with the processes' logs).
     */
    slowestSeconds: (k: number, slowMs: number, keep: (t: number) => boolean) => {
      const seconds = new Map<number, { answered: number; slow: number; max: number }>();
      for (let i = 0; i < n; i++) {
        if (!ok[i] || !keep(at[i]!)) continue;
        const second = Math.floor(at[i]! / 1000);
        const s = seconds.get(second) ?? { answered: 0, slow: 0, max: 0 };
        s.answered += 1;
        if (ms[i]! > slowMs) s.slow += 1;
        s.max = Math.max(s.max, ms[i]!);
        seconds.set(second, s);
      }
      return [...seconds]
        .filter(([, s]) => s.slow > 0)
        .sort((a, b) => b[1].slow - a[1].slow)
        .slice(0, k)
        .map(([second, s]) => ({ at: new Date(second * 1000).toISOString(), ...s }));
    },
    /** Epoch ms of the first 200 answered after `t`; 0 while there is none. */
    firstAcceptAfter: (t: number) => {
      for (let i = 0; i < n; i++) if (ok[i] && at[i]! > t) return at[i]!;
      return 0;
    },
  };
}
