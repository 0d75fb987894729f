import type { Sql } from 'postgres';
import secureJson from 'secure-json-parse';
import type { Logger } from '../logging/logger.js';
import { occurredAt, parseSesEvent } from '../events/sesEvent.js';
import type { CertificateSource } from './snsCertificates.js';
import { snsEnvelopeSchema, type SnsEnvelope, type SnsNotification } from './snsEnvelope.js';
import { handleConfirmation } from './snsSubscriptions.js';
import type { IncomingEvent, StoreOutcome } from '../events/storeEvents.js';
import type { WebhookAccept } from '../metrics/webhookMetrics.js';
import type { SesEventType } from '../events/sesEvent.js';
import type { RefusalReason } from './refusals.js';
import { parseTopicArn } from './snsCertUrl.js';
import { verifySnsMessage } from './verifySnsMessage.js';

export type WebhookDeps = {
  sql: Sql;
  logger: Logger;
  /** SNS_CERT_URL_ALLOW: extra trusted prefixes for certificates and SubscribeURLs (simulators, tests). */
  allow: readonly string[];
  certificates: CertificateSource;
  fetch: typeof fetch;
  now: () => Date;
  /** Stores one verified event (batched with others under load: storeEvents + groupCommit). */
  store: (event: IncomingEvent) => Promise<StoreOutcome>;
};

/**
 * `refusal`: why a genuine-looking delivery was refused, for the health panel (with the account its TopicArn claims).
 * `accepted` (a 200) says what was done, with the SES event's type when one was stored; `snsMessageId` is
 * the envelope's MessageId once it parsed; `error` is why a 503 happened, for the log.
 */
export type WebhookAnswer = {
  status: number;
  message: string;
  refusal?: { reason: RefusalReason; accountId: string | null };
  accepted?: WebhookAccept;
  eventType?: SesEventType;
  snsMessageId?: string;
  error?: unknown;
};

/**
 * One SNS delivery to `POST /webhooks/email`: parse, verify, then confirm a
 * subscription or store the SES event for processing. Nothing is written
 * unless the message is genuine and its topic is a connected tenant's. The
 * status tells SNS what to do: 2xx done (also for a redelivery), 4xx never
 * retry (forged, malformed, not ours), 5xx retry (Herald could not store it).
 */
export async function handleSnsDelivery(deps: WebhookDeps, rawBody: string, typeHeader: string | undefined): Promise<WebhookAnswer> {
  const json = parseJson(rawBody);
  if (!json.ok) return refused(400, `body ${json.error}`, 'malformed', null);
  const claimed = claimedAccount(json.value);
  const parsed = snsEnvelopeSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refused(400, `not an SNS message: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, 'malformed', claimed);
  }
  const message = parsed.data;
  return { ...(await handleEnvelope(deps, message, claimed, typeHeader)), snsMessageId: message.MessageId };
}

async function handleEnvelope(deps: WebhookDeps, message: SnsEnvelope, claimed: string | null, typeHeader: string | undefined): Promise<WebhookAnswer> {
  if (typeHeader !== undefined && typeHeader !== message.Type) return refused(400, 'x-amz-sns-message-type does not match the message Type', 'malformed', claimed);

  const verdict = await verifySnsMessage({ certificates: deps.certificates, allow: deps.allow, now: deps.now }, message);
  if (!verdict.ok) return verdict.refusal ? refused(verdict.status, verdict.reason, verdict.refusal, claimed) : { status: verdict.status, message: verdict.reason };

  if (message.Type !== 'Notification') {
    const answer = await handleConfirmation(deps, message, verdict.topic.accountId);
    if (answer.refusal) return refused(answer.status, answer.reason, answer.refusal, claimed);
    return { status: answer.status, message: answer.reason, ...(answer.status === 200 ? { accepted: 'subscription' as const } : {}) };
  }
  return acceptNotification(deps, message, verdict.topic.accountId);
}

function refused(status: number, message: string, reason: RefusalReason, accountId: string | null): WebhookAnswer {
  return { status, message, refusal: { reason, accountId } };
}

/** The account a message's TopicArn names, read before anything is verified: whose health panel counts a refusal. */
function claimedAccount(value: unknown): string | null {
  const arn = (value as { TopicArn?: unknown } | null)?.TopicArn;
  return typeof arn === 'string' ? (parseTopicArn(arn)?.accountId ?? null) : null;
}

async function acceptNotification(deps: WebhookDeps, message: SnsNotification, accountId: string): Promise<WebhookAnswer> {
  const inner = parseJson(message.Message);
  if (!inner.ok) return refused(400, `Message ${inner.error}`, 'malformed', accountId);
  // SES announces a newly set notification topic with this; it is about no email.
  if ((inner.value as { notificationType?: unknown } | null)?.notificationType === 'AmazonSnsSubscriptionSucceeded') {
    return { status: 200, message: 'noted', accepted: 'notice' };
  }
  const event = parseSesEvent(inner.value);
  if (!event.ok) return refused(400, event.error, 'malformed', accountId);
  if (event.event.mail.sendingAccountId !== accountId) {
    return refused(403, "the event's sending account is not the topic's account", 'malformed', accountId);
  }
  let outcome: StoreOutcome;
  try {
    outcome = await deps.store({
      snsMessageId: message.MessageId,
      topicArn: message.TopicArn,
      accountId,
      eventType: event.event.type,
      sesMessageId: event.event.mail.messageId,
      occurredAt: occurredAt(event.event),
      payload: message.Message,
    });
  } catch (error) {
    // The database is unreachable or failing: a 5xx makes SNS deliver the message again later.
    return { status: 503, message: 'Herald could not store the event right now', error };
  }
  if (outcome === 'unknown-account') return refused(403, 'topic belongs to no connected SES account', 'unknown-account', accountId);
  if (outcome === 'duplicate') return { status: 200, message: 'already received', accepted: 'duplicate' };
  return { status: 200, message: 'accepted', accepted: 'event', eventType: event.event.type };
}

type Json = { ok: true; value: unknown } | { ok: false; error: string };

/** JSON.parse that refuses `__proto__` and `constructor.prototype` keys instead of letting them through. */
function parseJson(text: string): Json {
  try {
    return { ok: true, value: secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) };
  } catch (err) {
    return { ok: false, error: err instanceof SyntaxError ? 'is not valid JSON' : 'holds a forbidden key (__proto__ or constructor.prototype)' };
  }
}
