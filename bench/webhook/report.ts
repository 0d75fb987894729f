/** The report of a layout: a line per run and baseline, then the medians as a line and as JSON. */
import { fmt, median } from '../lib.js';
import type { FireResult } from '../webhook-client.js';
import { cores, perRequest } from './cpu.js';
import type { WebhookOptions } from './options.js';
import type { Baseline, Run } from './run.js';

const lat = (r: FireResult) => `p50 ${r.latencyMs.p50.toFixed(1)} / p95 ${r.latencyMs.p95.toFixed(1)} / p99 ${r.latencyMs.p99.toFixed(1)} / max ${r.latencyMs.max.toFixed(1)} ms`;

export const describeBaseline = (b: Baseline, inline: boolean) => `  baseline ${b.name}: ${b.result.acceptedPerSecond > 0 ? b.result.acceptedPerSecond.toFixed(0) : (b.result.measured / b.result.seconds).toFixed(0)}/s, ${lat(b.result)}, statuses ${JSON.stringify(b.result.statuses)}; ${perRequest(b.cpu, b.result.requests, inline)}`;

export function describeRun(label: string, r: Run, inline: boolean): string {
  return (
    `${label}: ${r.events.toLocaleString('en')} notifications about ${r.messages.toLocaleString('en')} messages (signed in ${(r.signMs / 1000).toFixed(1)} s beforehand); ` +
    `accepted ${r.fire.acceptedPerSecond.toFixed(0)}/s over ${r.fire.measured.toLocaleString('en')} measured requests, ${lat(r.fire)}; statuses ${JSON.stringify(r.fire.statuses)}; ` +
    `backlog max ${r.maxBacklog}, ${r.backlogAtEnd} at the last accept; drain ${(r.drainMs / 1000).toFixed(2)} s after it; processing ${r.processingPerSecond.toFixed(0)} events/s (first accept → last processed); ` +
    `events ${JSON.stringify(r.types)}; checks: ${r.problems.length === 0 ? 'none lost, all applied, statuses as planned' : r.problems.join('; ')}; ` +
    `while firing: ${cores(r.fireCpu, inline)}, ${perRequest(r.fireCpu, r.fire.requests, inline)}; while draining (${r.drainCpu.seconds.toFixed(1)} s): ${cores(r.drainCpu, inline)}; ` +
    `accepted per second: ${r.fire.timeline.join(' ')}; load average ${r.loadBefore} → ${r.loadAfter}`
  );
}

/** The layout's figures over its runs. */
function medians(results: Run[]) {
  const healthz = results.map((r) => r.baselines[0]!.result);
  const early = results.map((r) => r.baselines[1]!.result);
  const verified = results.map((r) => r.baselines[2]!.result);
  const rate = (r: FireResult) => r.measured / r.seconds;
  const accepted = results.map((r) => r.fire.acceptedPerSecond);
  const perEvent = (cpu: (r: Run) => number) => median(results.map((r) => (cpu(r) / r.fire.requests) * 1000)).toFixed(2);
  return { healthz, early, verified, rate, accepted, perEvent };
}

export function describeLayout(layout: string, inline: boolean, results: Run[], opts: WebhookOptions): string {
  const { events: eventsWanted, concurrency, runs } = opts;
  const { healthz, early, verified, rate, accepted, perEvent } = medians(results);
  return (
    `${layout}: ${eventsWanted.toLocaleString('en')} signed notifications, ${concurrency} connections: accepted ${fmt(accepted, 0)}/s; ` +
      `latency p50 ${fmt(results.map((r) => r.fire.latencyMs.p50), 1)} ms, p95 ${fmt(results.map((r) => r.fire.latencyMs.p95), 1)} ms, p99 ${fmt(results.map((r) => r.fire.latencyMs.p99), 1)} ms, max ${fmt(results.map((r) => r.fire.latencyMs.max), 1)} ms; ` +
      `non-200 ${results.map((r) => r.fire.requests - (r.fire.statuses['200'] ?? 0)).join('/')}; ` +
      `drain after the last accept ${fmt(results.map((r) => r.drainMs / 1000), 2)} s; processing ${fmt(results.map((r) => r.processingPerSecond), 0)} events/s; ` +
      `checks ${results.map((r) => (r.problems.length === 0 ? 'ok' : 'FAILED')).join('/')}; events stranded pending ${results.map((r) => r.stranded).join('/')}; ` +
      `baselines: GET /healthz ${fmt(healthz.map(rate), 0)}/s (webhook ${(median(accepted) / median(healthz.map(rate))).toFixed(2)}×), ` +
      `refused before verification ${fmt(early.map(rate), 0)}/s (${(median(accepted) / median(early.map(rate))).toFixed(2)}×), ` +
      `verified then refused ${fmt(verified.map(rate), 0)}/s (${(median(accepted) / median(verified.map(rate))).toFixed(2)}×); ` +
      (inline
        ? `CPU ms per accepted notification while firing: Herald ${perEvent((r) => r.fireCpu.api)}, Postgres ${perEvent((r) => r.fireCpu.db)}, client ${perEvent((r) => r.fireCpu.client)}; `
        : `CPU ms per accepted notification while firing: API ${perEvent((r) => r.fireCpu.api)}, worker ${perEvent((r) => r.fireCpu.worker)}, ` +
          `Postgres ${perEvent((r) => r.fireCpu.db)} (API's ${perEvent((r) => r.fireCpu.dbApi)}, worker's ${perEvent((r) => r.fireCpu.dbWorker)}), client ${perEvent((r) => r.fireCpu.client)}; `) +
      `median of ${runs} runs`
  );
}

export function layoutSummary(layout: string, results: Run[], opts: WebhookOptions) {
  const { events: eventsWanted, concurrency, runs } = opts;
  const { healthz, early, verified, rate, accepted } = medians(results);
  return {
    layout,
    events: eventsWanted,
    concurrency,
    runs,
    logLevel: opts.logLevel,
    acceptedPerSecond: median(accepted),
    acceptedRuns: accepted.map(Math.round),
    latencyMs: {
      p50: median(results.map((r) => r.fire.latencyMs.p50)),
      p95: median(results.map((r) => r.fire.latencyMs.p95)),
      p99: median(results.map((r) => r.fire.latencyMs.p99)),
      max: median(results.map((r) => r.fire.latencyMs.max)),
    },
    non200: results.reduce((n, r) => n + r.fire.requests - (r.fire.statuses['200'] ?? 0), 0),
    drainSeconds: median(results.map((r) => r.drainMs / 1000)),
    processingPerSecond: median(results.map((r) => r.processingPerSecond)),
    maxBacklog: median(results.map((r) => r.maxBacklog)),
    checksPassed: results.every((r) => r.problems.length === 0),
    stranded: results.map((r) => r.stranded),
    baselines: { healthz: median(healthz.map(rate)), refusedEarly: median(early.map(rate)), verifiedRefused: median(verified.map(rate)) },
    loadAverage: results.map((r) => `${r.loadBefore} → ${r.loadAfter}`),
  };
}
