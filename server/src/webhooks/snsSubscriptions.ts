import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger.js';
import type { RefusalReason } from './refusals.js';
import type { SnsConfirmation } from './snsEnvelope.js';
import { readCapped } from './snsCertificates.js';
import { isTrustedSubscribeUrl } from './snsCertUrl.js';

const CONFIRM_TIMEOUT_MS = 5_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export type SubscriptionDeps = { sql: Sql; logger: Logger; allow: readonly string[]; fetch: typeof fetch };
export type SubscriptionAnswer = { status: 200 | 403 | 502; reason: string; refusal?: RefusalReason };

/**
 * A verified SubscriptionConfirmation for a connected tenant's topic is
 * confirmed by visiting its SubscribeURL — only when that URL is SNS's own
 * host for the topic's region (or allow-listed for a simulator): nothing
 * else is ever fetched. An UnsubscribeConfirmation is only recorded, so the
 * settings page can warn that events stopped; re-subscribing stays a
 * deliberate act in AWS.
 */
export async function handleConfirmation(deps: SubscriptionDeps, message: SnsConfirmation, accountId: string): Promise<SubscriptionAnswer> {
  const [owner] = await deps.sql`select 1 from tenant_channel_settings where aws_account_id = ${accountId} and is_connected limit 1`;
  if (!owner) return { status: 403, reason: 'topic belongs to no connected SES account', refusal: 'unknown-account' };

  if (message.Type === 'UnsubscribeConfirmation') {
    await upsertTopic(deps.sql, message.TopicArn, accountId, deps.sql`unsubscribed_at = now()`);
    deps.logger.warn({ topicArn: message.TopicArn }, 'SNS subscription removed: SES events from this topic stop arriving');
    return { status: 200, reason: 'unsubscribe recorded' };
  }
  if (!isTrustedSubscribeUrl(message.SubscribeURL, message.TopicArn, deps.allow)) {
    return { status: 403, reason: "SubscribeURL is not Amazon SNS's host for the topic's region", refusal: 'untrusted-certificate-url' };
  }
  try {
    const subscriptionArn = await confirm(deps.fetch, message.SubscribeURL);
    await upsertTopic(deps.sql, message.TopicArn, accountId,
      deps.sql`confirmed_at = now(), unsubscribed_at = null, last_error = null, subscription_arn = ${subscriptionArn}`);
    deps.logger.info({ topicArn: message.TopicArn }, 'SNS subscription confirmed');
    return { status: 200, reason: 'subscription confirmed' };
  } catch (err) {
    const reason = `Confirming the subscription failed: ${err instanceof Error ? err.message : String(err)}`;
    await upsertTopic(deps.sql, message.TopicArn, accountId, deps.sql`last_error = ${reason}`);
    deps.logger.warn({ topicArn: message.TopicArn, reason }, 'SNS subscription confirmation failed');
    // 5xx: SNS delivers the confirmation again, and the next try may reach SNS.
    return { status: 502, reason: 'subscription could not be confirmed' };
  }
}

/** GETs the SubscribeURL (no redirects, timeout, size cap) and returns the SubscriptionArn SNS answers with. */
async function confirm(doFetch: typeof fetch, url: string): Promise<string | null> {
  const res = await doFetch(url, { redirect: 'manual', signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`SNS answered HTTP ${res.status}`);
  const body = await readCapped(res, MAX_ANSWER_BYTES);
  return /<SubscriptionArn>([^<]{1,512})<\/SubscriptionArn>/.exec(body)?.[1] ?? null;
}

async function upsertTopic(sql: Sql, topicArn: string, accountId: string, set: ReturnType<Sql>): Promise<void> {
  await sql`insert into sns_topics (topic_arn, aws_account_id) values (${topicArn}, ${accountId}) on conflict (topic_arn) do nothing`;
  await sql`update sns_topics set ${set}, updated_at = now() where topic_arn = ${topicArn}`;
}
