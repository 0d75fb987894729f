import type { Deps } from '../../deps.js';

export type EventTopicView = {
  topicArn: string;
  confirmedAt: string | null;
  /** SNS removed the subscription: events from this topic stopped. */
  unsubscribedAt: string | null;
  lastEventAt: string | null;
  /** Why confirming the subscription failed, when it did. */
  lastError: string | null;
};

/** How SES events reach Herald for the tenant's AWS account (settings → channels). */
export type EventDeliveryView = {
  topics: EventTopicView[];
  lastEventAt: string | null;
  /** Events about SES messages Herald does not know (sent outside Herald, or by a deleted campaign). */
  orphanEvents: number;
};

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/**
 * The SNS topics of the tenant's connected AWS account. Topics belong to the
 * account, not the tenant: tenants sharing an account see the same ones.
 */
export async function getEventDelivery(deps: Deps, tenantId: string): Promise<EventDeliveryView> {
  const [channel] = await deps.sql<{ accountId: string | null }[]>`
    select aws_account_id as "accountId" from tenant_channel_settings where tenant_id = ${tenantId} and channel = 'email' and is_connected`;
  if (!channel?.accountId) return { topics: [], lastEventAt: null, orphanEvents: 0 };
  const topics = await deps.sql<{ topicArn: string; confirmedAt: string | null; unsubscribedAt: string | null; lastEventAt: string | null; lastError: string | null }[]>`
    select topic_arn as "topicArn", confirmed_at as "confirmedAt", unsubscribed_at as "unsubscribedAt", last_event_at as "lastEventAt", last_error as "lastError"
    from sns_topics where aws_account_id = ${channel.accountId} order by topic_arn`;
  const [orphans] = await deps.sql<{ n: number }[]>`
    select count(*)::int as n from message_events where aws_account_id = ${channel.accountId} and state = 'orphan'`;
  const views = topics.map((t) => ({
    topicArn: t.topicArn,
    confirmedAt: iso(t.confirmedAt),
    unsubscribedAt: iso(t.unsubscribedAt),
    lastEventAt: iso(t.lastEventAt),
    lastError: t.lastError,
  }));
  const last = views.map((t) => t.lastEventAt).filter((t): t is string => t !== null).sort().at(-1) ?? null;
  return { topics: views, lastEventAt: last, orphanEvents: orphans?.n ?? 0 };
}
