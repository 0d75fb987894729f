import type { Sql } from 'postgres';
import { AppError } from '../errors.js';
import { METRICS_CHANNEL } from './metricsChannel.js';
import type { Logger } from '../logging/logger.js';
import { campaignMetrics, type CampaignMetrics } from '../services/campaigns/metrics.js';
import { createLatestSlot, type LatestSlot } from './latestSlot.js';
import { createMetricsFeed, type MetricsFeed } from './metricsFeed.js';

/** At most 4 updates a second per campaign (issue: live metrics). */
export const METRICS_MIN_INTERVAL_MS = 250;

export type MetricsSubscription = LatestSlot<CampaignMetrics>;

/**
 * The bridge from Postgres to browsers: one LISTEN connection per server
 * process hears `campaign_metrics` notifications — sent by the triggers on
 * messages and campaigns (migration 0010), so a send recorded or an event
 * applied by any process reaches subscribers of every process — and hands
 * them to the feed of that campaign, if anyone here watches it. The
 * payload is `<tenantId>:<campaignId>` and a feed reads with that tenant,
 * so a subscriber only ever sees its own tenant's numbers.
 */
export type MetricsHub = {
  /** Register before reading: a change between the two is never missed. */
  subscribe: (tenantId: string, campaignId: string) => MetricsSubscription;
  /** Open subscriptions and watched campaigns in this process (GET /metrics reads them). */
  stats: () => { subscribers: number; campaigns: number };
  close: () => Promise<void>;
};

export async function startMetricsHub(deps: { sql: Sql; logger: Logger }, minIntervalMs = METRICS_MIN_INTERVAL_MS): Promise<MetricsHub> {
  const feeds = new Map<string, MetricsFeed<CampaignMetrics>>();
  const log = deps.logger.child({ component: 'metrics-hub' });

  const feedFor = (tenantId: string, campaignId: string) => {
    const key = `${tenantId}:${campaignId}`;
    let feed = feeds.get(key);
    if (!feed) {
      feed = createMetricsFeed({
        load: () => campaignMetrics(deps, tenantId, campaignId),
        minIntervalMs,
        isFatal: (err) => err instanceof AppError && err.code === 'NOT_FOUND',
        onError: (err) => log.error({ err, campaignId }, 'reading campaign metrics failed; retrying'),
      });
      feeds.set(key, feed);
    }
    return { key, feed };
  };

  // onlisten runs on every (re)connect of the LISTEN connection: notifications sent while it was
  // down are lost, so every watched campaign is read again.
  const listener = await deps.sql.listen(
    METRICS_CHANNEL,
    (payload) => feeds.get(payload)?.invalidate(),
    () => {
      for (const feed of feeds.values()) feed.invalidate();
    },
  );

  const slots = new Set<MetricsSubscription>();
  return {
    subscribe(tenantId, campaignId) {
      const { key, feed } = feedFor(tenantId, campaignId);
      const slot = createLatestSlot<CampaignMetrics>();
      const close = slot.close;
      const subscription: MetricsSubscription = {
        ...slot,
        close: () => {
          close();
          slots.delete(subscription);
          if (feed.remove(slot) === 0 && feeds.get(key) === feed) {
            feed.stop();
            feeds.delete(key);
          }
        },
      };
      slots.add(subscription);
      feed.add(slot);
      feed.invalidate(); // the snapshot this subscriber starts from
      return subscription;
    },
    stats: () => ({ subscribers: slots.size, campaigns: feeds.size }),
    async close() {
      for (const s of [...slots]) s.close();
      await listener.unlisten().catch((err: unknown) => log.warn({ err }, 'unlisten failed'));
    },
  };
}
