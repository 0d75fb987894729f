import { createHash } from 'node:crypto';
import { tracked } from '@trpc/server';
import type { Sql } from 'postgres';
import { AppError } from '../errors.js';
import type { CampaignMetrics } from '../services/campaigns/metrics.js';
import type { MetricsHub } from './metricsHub.js';

/**
 * The event id is a digest of the state it carries: a client that
 * reconnects with the id of what it already shows gets nothing until the
 * next change, one that missed changes gets the current state at once.
 * Every update is the whole state, so no intermediate one needs replaying.
 */
const eventIds = new WeakMap<CampaignMetrics, string>();
export function metricsEventId(m: CampaignMetrics): string {
  // Every subscriber of a campaign is handed the same object: hash it once.
  let id = eventIds.get(m);
  if (id === undefined) {
    id = createHash('sha256').update(JSON.stringify(m)).digest('base64url').slice(0, 22);
    eventIds.set(m, id);
  }
  return id;
}

/**
 * Checked before the stream starts, so a refusal is an ordinary NOT_FOUND
 * (which ends the subscription) rather than an error mid-stream (which an
 * EventSource answers by reconnecting).
 */
export async function openCampaignMetrics(
  deps: { sql: Sql; hub: MetricsHub },
  tenantId: string,
  campaignId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  const [owned] = await deps.sql`select 1 from campaigns where id = ${campaignId} and tenant_id = ${tenantId}`;
  if (!owned) throw new AppError('NOT_FOUND', 'No campaign with this id.');
  return streamCampaignMetrics(deps.hub, tenantId, campaignId, lastEventId, signal);
}

async function* streamCampaignMetrics(
  hub: MetricsHub,
  tenantId: string,
  campaignId: string,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  const abort = signal ?? new AbortController().signal;
  const subscription = hub.subscribe(tenantId, campaignId);
  let lastId = lastEventId ?? null;
  try {
    for (;;) {
      const metrics = await subscription.take(abort);
      if (!metrics) return;
      const id = metricsEventId(metrics);
      if (id === lastId) continue;
      lastId = id;
      yield tracked(id, metrics);
    }
  } finally {
    subscription.close();
  }
}
