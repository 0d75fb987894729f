import type { Logger } from 'pino';
import type { PendingWork } from './pendingWork.js';
import type { SimEventsOptions } from './simEventsOptions.js';
import type { PostOutcome, SnsHttpClient } from './snsHttp.js';
import type { SnsEnvelope } from './snsMessages.js';

/** The counters behind `stats()`, shared with the event engine. */
export interface DeliveryCounts {
  posted: number;
  failed: number;
  dropped: number;
}

/** One endpoint of a subscription, for as long as SNS would still post to it. */
export interface DeliveryTarget {
  endpoint: string;
  subscriptionArn: string;
  /** Checked before retries and duplicates: a moved webhook or a removed subscription gets nothing more. */
  stillSubscribed(): boolean;
}

export interface SnsDelivery {
  /** One POST, within the in-flight cap. */
  attempt(endpoint: string, envelope: SnsEnvelope, subscriptionArn: string | null, signal: AbortSignal): Promise<PostOutcome>;
  /** Posts a notification under SNS's retry policy, and maybe once more later (at-least-once delivery). */
  deliver(target: DeliveryTarget, envelope: SnsEnvelope, signal: AbortSignal): Promise<void>;
}

/** How SNS posts notifications to HTTP(S) subscriptions: capped concurrency, retries, duplicates. */
export function snsDelivery(deps: {
  work: PendingWork;
  http: SnsHttpClient;
  logger: Logger;
  options: () => SimEventsOptions;
  counts: DeliveryCounts;
}): SnsDelivery {
  const { work, logger, counts } = deps;

  const attempt: SnsDelivery['attempt'] = async (endpoint, envelope, subscriptionArn, signal) => {
    const release = await work.slot(deps.options().maxInFlight, signal);
    try {
      return await deps.http.post(endpoint, envelope, subscriptionArn, signal);
    } finally {
      release();
    }
  };

  /**
   * Only the first attempt is awaited, so a message's later events are not held up; retries (and so
   * their arrival after later events) run apart.
   */
  const deliverOnce = async (target: DeliveryTarget, envelope: SnsEnvelope, signal: AbortSignal) => {
    const log = { snsMessageId: envelope.MessageId, topicArn: envelope.TopicArn };
    const settle = (result: PostOutcome['result'], status: number | null) => {
      if (result === 'delivered') counts.posted += 1;
      else {
        counts.failed += 1;
        logger.warn({ ...log, status }, 'SES simulator: the webhook did not take an SNS notification');
      }
    };
    const first = await attempt(target.endpoint, envelope, target.subscriptionArn, signal);
    logger.debug({ ...log, status: first.status, error: first.error }, 'SES simulator: SNS notification posted');
    if (first.result !== 'retry' || deps.options().retries === 0) return settle(first.result, first.status);
    work.run(async (retrySignal) => {
      let last = first;
      for (let retry = 1; retry <= deps.options().retries && last.result === 'retry'; retry += 1) {
        await work.sleep(deps.options().retryDelayMs, retrySignal);
        if (!target.stillSubscribed()) {
          counts.dropped += 1;
          return;
        }
        last = await attempt(target.endpoint, envelope, target.subscriptionArn, retrySignal);
        logger.debug({ ...log, retry, status: last.status, error: last.error }, 'SES simulator: SNS notification retried');
      }
      settle(last.result, last.status);
    });
  };

  return {
    attempt,
    async deliver(target, envelope, signal) {
      await deliverOnce(target, envelope, signal);
      const options = deps.options();
      if (options.random() >= options.duplicateProbability) return;
      // The very same envelope (same MessageId and signature) again, later.
      const [min, max] = options.deliveryDelayMs;
      const again = min + Math.floor(options.random() * (max - min + 1));
      work.run(async (dupSignal) => {
        await work.sleep(again, dupSignal);
        if (target.stillSubscribed()) await deliverOnce(target, envelope, dupSignal);
      });
    },
  };
}
