import type { Deps } from '../../deps.js';
import { REFUSAL_LABELS, type RefusalReason } from '../../webhooks/refusals.js';
import { webhookUrlOf } from './eventSetup.js';
import { findEmailChannelRow } from './emailChannel.js';
import { healthVerdict, type Verdict } from './healthVerdict.js';
import { unreachableWebhookReason } from './publicWebhook.js';
import { heraldSentLast24h } from './usage.js';

export type SubscriptionView = { topicArn: string; confirmedAt: string | null; unsubscribedAt: string | null; lastError: string | null; managedByHerald: boolean };

export type EmailHealth = {
  connected: boolean;
  /** The local simulator stands in for SES and SNS (development, tests). */
  simulator: boolean;
  webhookUrl: string;
  /** Why real SNS could not reach webhookUrl; null when it can, or when the simulator delivers instead. */
  webhookProblem: string | null;
  setup: { configurationSetName: string | null; topicArn: string | null; setupAt: string | null; error: string | null };
  /** The subscription events come through: Herald's own topic's, else the account's most recently active. */
  subscription: SubscriptionView | null;
  /** Every SNS topic of the account that reached Herald (its subscription, confirmed or not). */
  topics: SubscriptionView[];
  lastEvent: { at: string; type: string } | null;
  eventsLast24h: { total: number; byType: { type: string; count: number }[] };
  refusalsLast24h: { total: number; byReason: { reason: RefusalReason; label: string; count: number }[] };
  /** Events about SES messages Herald did not send (another sender on the account), last 24 h. */
  orphanEventsLast24h: number;
  /** Herald's own sends (campaigns and tests) in the last 24 h. */
  sentLast24h: number;
  verdict: Verdict;
};

/** Timestamps come back as text from raw queries (drizzle sets the driver's parsers) and as Date from drizzle's own. */
type Time = string | Date;
type TopicRow = { topicArn: string; confirmedAt: Time | null; unsubscribedAt: Time | null; lastError: string | null; lastEventAt: Time | null };
const iso = (t: Time | null | undefined) => (t == null ? null : new Date(t).toISOString());
const ms = (t: Time | null) => (t == null ? 0 : new Date(t).getTime());

/**
 * Everything the Channels page says about event delivery, read from one set
 * of current facts so that no two statements on the page disagree: setup
 * state, the subscription, the events and refusals of the last 24 hours and
 * Herald's own sends. Events and subscriptions belong to the AWS account;
 * tenants sharing an account see the same ones.
 */
export async function getEmailHealth(deps: Deps, tenantId: string): Promise<EmailHealth> {
  const row = await findEmailChannelRow(deps, tenantId);
  const simulator = deps.env.sesEndpoint !== undefined;
  const webhookUrl = webhookUrlOf(deps);
  const base = {
    simulator,
    webhookUrl,
    webhookProblem: simulator ? null : unreachableWebhookReason(new URL(webhookUrl)),
    setup: {
      configurationSetName: row?.configurationSetName ?? null,
      topicArn: row?.eventsTopicArn ?? null,
      setupAt: iso(row?.eventsSetupAt),
      error: row?.eventsSetupError ?? null,
    },
  };
  const account = row?.isConnected ? row.awsAccountId : null;
  if (!account) {
    const empty = { subscription: null, topics: [], lastEvent: null, eventsLast24h: { total: 0, byType: [] }, refusalsLast24h: { total: 0, byReason: [] }, orphanEventsLast24h: 0, sentLast24h: 0 };
    return { connected: false, ...base, ...empty, verdict: healthVerdict({ connected: false, ...base, ...empty }, deps.now()) };
  }

  const [topics, byType, last, refusals, orphans, sentLast24h] = await Promise.all([
    deps.sql<TopicRow[]>`
      select topic_arn as "topicArn", confirmed_at as "confirmedAt", unsubscribed_at as "unsubscribedAt", last_error as "lastError", last_event_at as "lastEventAt"
      from sns_topics where aws_account_id = ${account}`,
    deps.sql<{ type: string; count: number }[]>`
      select event_type as type, count(*)::int as count from message_events
      where aws_account_id = ${account} and received_at > now() - interval '24 hours'
      group by event_type order by count(*) desc, event_type`,
    deps.sql<{ type: string; at: Time }[]>`
      select event_type as type, received_at as at from message_events where aws_account_id = ${account} order by received_at desc limit 1`,
    deps.sql<{ reason: RefusalReason; count: number }[]>`
      select reason, sum(count)::int as count from webhook_refusals
      where aws_account_id = ${account} and hour > now() - interval '24 hours'
      group by reason order by sum(count) desc, reason`,
    deps.sql<{ n: number }[]>`
      select count(*)::int as n from message_events where aws_account_id = ${account} and state = 'orphan' and received_at > now() - interval '24 hours'`,
    heraldSentLast24h(deps, tenantId),
  ]);

  const own = topics.find((t) => t.topicArn === row?.eventsTopicArn);
  const newest = [...topics].sort((a, b) => ms(b.lastEventAt) - ms(a.lastEventAt) || ms(b.confirmedAt) - ms(a.confirmedAt))[0];
  const chosen = own ?? newest;
  const view = (t: TopicRow): SubscriptionView => ({
    topicArn: t.topicArn,
    confirmedAt: iso(t.confirmedAt),
    unsubscribedAt: iso(t.unsubscribedAt),
    lastError: t.lastError,
    managedByHerald: t === own,
  });
  const facts = {
    ...base,
    subscription: chosen ? view(chosen) : null,
    topics: topics.map(view).sort((a, b) => a.topicArn.localeCompare(b.topicArn)),
    lastEvent: last[0] ? { at: iso(last[0].at) as string, type: last[0].type } : null,
    eventsLast24h: { total: byType.reduce((n, t) => n + t.count, 0), byType: [...byType] },
    refusalsLast24h: {
      total: refusals.reduce((n, r) => n + r.count, 0),
      byReason: refusals.map((r) => ({ reason: r.reason, label: REFUSAL_LABELS[r.reason] ?? r.reason, count: r.count })),
    },
    orphanEventsLast24h: orphans[0]?.n ?? 0,
    sentLast24h,
  };
  return { connected: true, ...facts, verdict: healthVerdict({ connected: true, ...facts }, deps.now()) };
}
