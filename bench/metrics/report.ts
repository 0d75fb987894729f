/** The `live` and `many` parts' report: a line per run, then the part's medians as a line and as JSON. */
import { DRAIN_POLL_MS } from '../../server/src/events/eventDrain.js';
import { fmt, median } from '../lib.js';
import type { LiveRun } from './live.js';
import { showDist } from './stats.js';

/** One run's line of the report. */
export function describeRun(label: string, r: LiveRun, rate: number): string {
  const u = r.cpu;
  const core = (s: number) => (s / u.seconds).toFixed(2);
  return (
    `${label}: ${r.events.toLocaleString('en')} Delivery notifications at ${rate}/s, ${r.subscribers} subscriber(s) on watch (connected in ${(r.connectMs / 1000).toFixed(1)} s): ` +
    `accepted ${r.accepted.toLocaleString('en')} at ${r.fire.acceptedPerSecond.toFixed(0)}/s (HTTP ${showDist({ ...r.fire.latencyMs, n: 0 })}; start lag p99 ${r.fire.startLagMs.p99.toFixed(1)} ms, max ${r.fire.startLagMs.max.toFixed(1)} ms); ` +
    `accept → subscriber ${showDist(r.latency, 0)}` +
    (r.subscribers > 1
      ? ` (all subscribers' events pooled; per-subscriber p95: median ${r.perSubscriberP95.p50.toFixed(0)}, max ${r.perSubscriberP95.max.toFixed(0)} ms; ` +
        `to whichever subscriber got it first: ${showDist(r.firstLatency, 0)}; one state from the first to the last subscriber: ${showDist(r.spread, 0)} over ${r.spread.n} states)`
      : '') +
    `; updates ${r.updatesPerSecond.toFixed(2)}/s per subscriber, at most ${r.maxUpdatesInASecond} in any sliding second, never closer than ${r.minGapMs.toFixed(0)} ms; on the final state ${r.onFinal}/${r.subscribers}; ` +
    `accepted → processing started ${showDist(r.toProcessing, 0)}; ${r.batches} processing batches (${(r.accepted / Math.max(1, r.batches)).toFixed(0)} events each), ` +
    `started after their first event + ${DRAIN_POLL_MS} ms: ${showDist(r.batchLateness, 0)}; ` +
    `CPU over ${u.seconds.toFixed(1)} s: api ${core(u.api)}, watch ${core(u.watch)}, worker ${core(u.worker)}, Postgres ${core(u.db)}, clients ${core(u.clients)} cores (watch ${u.watch.toFixed(2)} s), machine busy ${(u.machineBusy * 100).toFixed(0)} %; ` +
    `watch RSS ${r.watchRssBeforeMb.toFixed(0)} MB before, peak ${r.watchPeakRssMb.toFixed(0)} MB; checks: ${r.problems.length === 0 ? 'ok' : r.problems.join('; ')}; load average ${r.loadBefore} → ${r.loadAfter}`
  );
}

/** The part's line: each figure's median over the runs, and every run's value. */
export function describePart(part: string, subscriberCount: number, results: LiveRun[], rate: number, seconds: number): string {
  const pick = (f: (r: LiveRun) => number) => results.map(f);
  return (
    `${part}: ${subscriberCount} subscriber(s), ${rate}/s for ${seconds} s: accept → subscriber p50 ${fmt(pick((r) => r.latency.p50), 0)} ms, p95 ${fmt(pick((r) => r.latency.p95), 0)} ms, ` +
      `p99 ${fmt(pick((r) => r.latency.p99), 0)} ms, max ${fmt(pick((r) => r.latency.max), 0)} ms; ` +
      (subscriberCount > 1
        ? `worst subscriber's p95 ${fmt(pick((r) => r.perSubscriberP95.max), 0)} ms; to whichever subscriber got it first p50 ${fmt(pick((r) => r.firstLatency.p50), 0)} ms, p95 ${fmt(pick((r) => r.firstLatency.p95), 0)} ms; ` +
          `one state from the first to the last subscriber p50 ${fmt(pick((r) => r.spread.p50), 0)} ms, max ${fmt(pick((r) => r.spread.max), 0)} ms; `
        : '') +
      `updates per second ${fmt(pick((r) => r.updatesPerSecond), 2)} (most in any sliding second ${pick((r) => r.maxUpdatesInASecond).join('/')}, shortest gap ${results.map((r) => r.minGapMs.toFixed(0)).join('/')} ms); ` +
      `accepted ${fmt(pick((r) => r.fire.acceptedPerSecond), 0)}/s; accepted → processing started p50 ${fmt(pick((r) => r.toProcessing.p50), 0)} ms, p95 ${fmt(pick((r) => r.toProcessing.p95), 0)} ms; ` +
      `watch CPU ${fmt(pick((r) => r.cpu.watch / r.cpu.seconds), 2)} cores, ${fmt(pick((r) => r.cpu.watch), 2)} s per run; watch peak RSS ${fmt(pick((r) => r.watchPeakRssMb), 0)} MB; ` +
      `machine busy ${fmt(pick((r) => r.cpu.machineBusy * 100), 0)} %; ` +
      `on the final state ${pick((r) => r.onFinal).join('/')} of ${subscriberCount}; checks ${results.map((r) => (r.problems.length === 0 ? 'ok' : 'FAILED')).join('/')}; median of ${results.length} runs`
  );
}

/** The part's medians for the JSON summary. */
export function partSummary(subscriberCount: number, results: LiveRun[], rate: number, seconds: number) {
  const pick = (f: (r: LiveRun) => number) => results.map(f);
  return {
    subscribers: subscriberCount,
    rate,
    seconds,
    runs: results.length,
    latencyMs: {
      p50: median(pick((r) => r.latency.p50)),
      p95: median(pick((r) => r.latency.p95)),
      p99: median(pick((r) => r.latency.p99)),
      max: median(pick((r) => r.latency.max)),
    },
    worstSubscriberP95Ms: median(pick((r) => r.perSubscriberP95.max)),
    updatesPerSecond: median(pick((r) => r.updatesPerSecond)),
    maxUpdatesInASecond: Math.max(...pick((r) => r.maxUpdatesInASecond)),
    minGapMs: Math.min(...pick((r) => r.minGapMs)),
    spreadMs: { p50: median(pick((r) => r.spread.p50)), max: median(pick((r) => r.spread.max)) },
    firstSubscriberMs: { p50: median(pick((r) => r.firstLatency.p50)), p95: median(pick((r) => r.firstLatency.p95)) },
    machineBusy: median(pick((r) => r.cpu.machineBusy)),
    batchLatenessMs: { p50: median(pick((r) => r.batchLateness.p50)), p95: median(pick((r) => r.batchLateness.p95)), max: median(pick((r) => r.batchLateness.max)) },
    acceptedPerSecond: median(pick((r) => r.fire.acceptedPerSecond)),
    toProcessingMs: { p50: median(pick((r) => r.toProcessing.p50)), p95: median(pick((r) => r.toProcessing.p95)) },
    watchCpuSeconds: pick((r) => Number(r.cpu.watch.toFixed(2))),
    watchPeakRssMb: pick((r) => Math.round(r.watchPeakRssMb)),
    onFinal: pick((r) => r.onFinal),
    checksPassed: results.every((r) => r.problems.length === 0),
  };
}
