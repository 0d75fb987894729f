import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AwsQueryError } from './awsErrors.js';
import { el, errorResponse, SNS_NAMESPACE, successResponse } from './queryXml.js';
/** SNS lets a refused subscription be asked again; the simulator waits this long between asks per topic. */
export const CONFIRM_RETRY_MS = 5_000;

/** The topic SES publishes an account's events to in a region (one per account and region, as Herald sets them up). */
export function topicArnFor(region: string, accountId: string): string {
  return `arn:aws:sns:${region}:${accountId}:herald-ses-events`;
}

/** SNS's SubscribeURL: `<base>?Action=ConfirmSubscription&TopicArn=…&Token=…`. */
export function subscribeUrlFor(confirmBaseUrl: string, topicArn: string, token: string): string {
  // SNS writes the ARN unencoded; only characters a query would misread are escaped.
  const topic = encodeURIComponent(topicArn).replace(/%3A/gi, ':');
  return `${confirmBaseUrl}?Action=ConfirmSubscription&TopicArn=${topic}&Token=${token}`;
}

/** Sends a signed SubscriptionConfirmation; resolves once the endpoint answered (or failed to). */
export type SendConfirmation = (
  input: { topicArn: string; endpoint: string; subscribeUrl: string; token: string },
  signal: AbortSignal,
) => Promise<void>;

export interface SnsSubscriptions {
  /**
   * The subscription ARN for `topicArn` at `endpoint`, asking the endpoint to confirm first if it
   * has not; null while it is unconfirmed (events are then dropped, as SNS drops them).
   */
  confirmed(topicArn: string, endpoint: string, signal: AbortSignal): Promise<string | null>;
  /** `GET …/confirm?Action=ConfirmSubscription&TopicArn=…&Token=…`: the endpoint visits its SubscribeURL. */
  answerConfirm(url: URL, res: ServerResponse): void;
  confirmedTopics(): string[];
}

interface Subscription {
  topicArn: string;
  endpoint: string;
  /** Set once the endpoint visited a SubscribeURL of this subscription. */
  arn: string | null;
  /** Concurrent events for one topic share one confirmation request. */
  attempt: Promise<string | null> | null;
  lastAskedAt: number;
}

/**
 * SNS's subscription handshake for HTTP(S) endpoints, per topic and endpoint (a new webhook URL
 * is a new subscription): a SubscriptionConfirmation carrying a SubscribeURL with a secret token;
 * the subscription is confirmed when the endpoint GETs that URL.
 */
export function snsSubscriptions(deps: {
  confirmBaseUrl: () => string;
  send: SendConfirmation;
  logger: Logger;
  now?: () => number;
  /** Confirms a token of subscriptions made elsewhere (the SNS API's): their ARN, or null when not theirs. */
  confirmOther?: (topicArn: string | null, token: string | null) => string | null;
}): SnsSubscriptions {
  const now = deps.now ?? Date.now;
  const subscriptions = new Map<string, Subscription>();
  const byToken = new Map<string, Subscription>();

  const ask = async (sub: Subscription, signal: AbortSignal): Promise<string | null> => {
    const token = randomBytes(64).toString('hex');
    byToken.set(token, sub);
    const subscribeUrl = subscribeUrlFor(deps.confirmBaseUrl(), sub.topicArn, token);
    try {
      await deps.send({ topicArn: sub.topicArn, endpoint: sub.endpoint, subscribeUrl, token }, signal);
    } catch (err) {
      deps.logger.debug({ err, topicArn: sub.topicArn }, 'SES simulator: subscription confirmation not delivered');
    }
    // Cut short by a reset or stop: that was no refusal, so the next event may ask again at once.
    if (signal.aborted) sub.lastAskedAt = -Infinity;
    if (sub.arn === null) deps.logger.debug({ topicArn: sub.topicArn }, 'SES simulator: subscription not confirmed; events for the topic are dropped');
    return sub.arn;
  };

  return {
    confirmed(topicArn, endpoint, signal) {
      const key = `${topicArn} ${endpoint}`;
      let sub = subscriptions.get(key);
      if (!sub) {
        sub = { topicArn, endpoint, arn: null, attempt: null, lastAskedAt: -Infinity };
        subscriptions.set(key, sub);
      }
      if (sub.arn !== null) return Promise.resolve(sub.arn);
      if (sub.attempt) return sub.attempt;
      if (now() - sub.lastAskedAt < CONFIRM_RETRY_MS) return Promise.resolve(null);
      const current = sub;
      current.lastAskedAt = now();
      current.attempt = ask(current, signal).finally(() => {
        current.attempt = null;
      });
      return current.attempt;
    },

    answerConfirm(url, res) {
      const requestId = randomUUID();
      const fail = (error: AwsQueryError) => {
        res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(errorResponse(SNS_NAMESPACE, error, requestId));
      };
      if (url.searchParams.get('Action') !== 'ConfirmSubscription') {
        return fail(new AwsQueryError('InvalidAction', 'The action or operation requested is invalid.', 400));
      }
      const topicArn = url.searchParams.get('TopicArn');
      const token = url.searchParams.get('Token');
      const sub = byToken.get(token ?? '');
      const arn = sub && sub.topicArn === topicArn ? (sub.arn ??= `${sub.topicArn}:${randomUUID()}`) : (deps.confirmOther?.(topicArn, token) ?? null);
      if (arn === null) return fail(new AwsQueryError('AuthorizationError', 'Invalid token', 403));
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(successResponse(SNS_NAMESPACE, 'ConfirmSubscription', [el('SubscriptionArn', arn)], requestId));
    },

    confirmedTopics: () => [...new Set([...subscriptions.values()].filter((s) => s.arn !== null).map((s) => s.topicArn))],
  };
}
