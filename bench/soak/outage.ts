/**
 * The restart in the middle of the soak: the embedded Postgres stopped
 * (fast shutdown) for `seconds`, then started again; and how long each part
 * of Herald took to come back, read from the probe's samples afterwards.
 */
import { median, sleep } from '../lib.js';
import type { SoakPostgres } from './postgres.js';
import { sendRate, type Sample } from './probe.js';

export type Outage = { stoppedAt: number; restartedAt: number; backlogBefore: number };

export async function restartPostgres(pg: SoakPostgres, samples: Sample[], seconds: number): Promise<Outage> {
  // The backlog as it stood over the half-minute before: the level recovery is measured against.
  const recent = samples.filter((s) => s.at > Date.now() - 30_000 && s.pending !== null).map((s) => s.pending!);
  const backlogBefore = recent.length > 0 ? median(recent) : 0;
  const stoppedAt = Date.now();
  await pg.stop();
  await sleep(Math.max(0, seconds * 1000 - (Date.now() - stoppedAt)));
  await pg.start();
  return { stoppedAt, restartedAt: Date.now(), backlogBefore };
}

export type Recovery = {
  /** Seconds from the restart (the cluster accepting connections again) to each; null: not within the run. */
  readySeconds: number | null;
  webhookSeconds: number | null;
  backlogSeconds: number | null;
  sendingSeconds: number | null;
  /** The most pending events after the restart. */
  backlogPeak: number;
  /** Probe answers during the outage (stop to restart), by status: /readyz and a tRPC read. */
  readyStatuses: Record<string, number>;
  apiStatuses: Record<string, number>;
};

const count = (xs: number[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

/**
 * Backlog back: after its peak, pending at most 1.1 × its level before,
 * plus 50 (it moves by tens between samples under this load). Sending back: 5 s of at least 90 %
 * of `rate` at the simulator.
 */
export function recovery(outage: Outage, samples: Sample[], firstWebhookAccept: number, rate: number): Recovery {
  const after = samples.filter((s) => s.at >= outage.restartedAt);
  const during = samples.filter((s) => s.at >= outage.stoppedAt && s.at < outage.restartedAt);
  const since = (at: number | undefined) => (at === undefined ? null : (at - outage.restartedAt) / 1000);
  const backlogLimit = outage.backlogBefore * 1.1 + 50;
  // Re-posted notifications arrive a retry delay after their 503, so the backlog peaks after the restart, not at it.
  const window = after.filter((s) => s.at < outage.restartedAt + 180_000);
  const peak = window.reduce((best, s) => ((s.pending ?? -1) > (best?.pending ?? -1) ? s : best), window[0]);
  const peakAt = peak?.at ?? outage.restartedAt;
  return {
    readySeconds: since(after.find((s) => s.ready === 200)?.at),
    webhookSeconds: firstWebhookAccept ? since(firstWebhookAccept) : null,
    backlogSeconds: since(after.find((s) => s.at >= peakAt && s.pending !== null && s.pending <= backlogLimit)?.at),
    sendingSeconds: since(after.find((s) => sendRate(samples, s.at, s.at + 5_000) >= 0.9 * rate)?.at),
    backlogPeak: peak?.pending ?? 0,
    readyStatuses: count(during.map((s) => s.ready)),
    apiStatuses: count(during.map((s) => s.api)),
  };
}
