import { Gauge, type Registry } from 'prom-client';

/** What a live-metrics hub (realtime/metricsHub.ts) holds right now. */
export type RealtimeStats = { subscribers: number; campaigns: number };

export type RealtimeGauges = {
  /** Reports this hub's counts at each scrape until the returned function is called. */
  watch: (stats: () => RealtimeStats) => () => void;
};

/** Open live-metrics streams, read from the hub when scraped (the hub already counts them). */
export function createRealtimeGauges(registry: Registry): RealtimeGauges {
  const hubs = new Set<() => RealtimeStats>();
  const total = (pick: (s: RealtimeStats) => number) => [...hubs].reduce((sum, stats) => sum + pick(stats()), 0);
  new Gauge({
    name: 'herald_sse_subscribers',
    help: 'Open live campaign-metrics subscriptions (Server-Sent Events) in this process.',
    registers: [registry],
    collect() {
      this.set(total((s) => s.subscribers));
    },
  });
  new Gauge({
    name: 'herald_sse_campaign_feeds',
    help: 'Campaigns watched by at least one live subscription in this process (one counter read per change each).',
    registers: [registry],
    collect() {
      this.set(total((s) => s.campaigns));
    },
  });
  return {
    watch(stats) {
      hubs.add(stats);
      return () => void hubs.delete(stats);
    },
  };
}
