import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { domainOf, verifiedIdentityFor } from './identities.js';
import { pendingWork } from './pendingWork.js';
import { type SenderFacts, sesEventPayload } from './sesEventPayloads.js';
import { type PlannedEvent, planSesEvents, reorderPlan } from './sesEventPlan.js';
import {
  applySimEventsOptions,
  defaultSimEventsOptions,
  type PublicSimEventsOptions,
  publicSimEventsOptions,
  type SimEventsOptions,
} from './simEventsOptions.js';
import type { SimMessage, SimulatorState } from './simulatorState.js';
import { snsHttpClient } from './snsHttp.js';
import { type SnsEnvelope, type SnsSigner, signedNotification, signedSubscriptionConfirmation } from './snsMessages.js';
import { createSnsSigningIdentity } from './snsSigningIdentity.js';
import { snsSubscriptions, topicArnFor } from './snsSubscriptions.js';

export interface SimEventsStats {
  /** Notification POSTs answered 2xx (duplicates included, confirmations not). */
  posted: number;
  /** Notifications the endpoint refused (4xx) or that still failed after every retry. */
  failed: number;
  /** Events never posted: no webhook URL when due, or the topic's subscription unconfirmed. */
  dropped: number;
  /** Topics with a confirmed subscription. */
  confirmedTopics: string[];
}

/** `sim.events`: what tests and demos use. */
export interface SimEvents {
  /** Changes options (validated like `POST /_simulator/events`; throws when invalid). */
  configure(patch: Partial<SimEventsOptions>): void;
  options(): PublicSimEventsOptions;
  /** Resolves when nothing is scheduled, waiting or in flight. */
  idle(): Promise<void>;
  stats(): SimEventsStats;
}

/** The simulator's side: feeding messages in, serving SNS's URLs, resetting and stopping. */
export interface SimEventsEngine extends SimEvents {
  /** Schedules the events of an accepted message; synchronous, so `idle()` right after a send sees them. */
  accept(message: SimMessage): void;
  /** Answers `GET sns/<certificate>.pem` and `GET sns/confirm`; false for any other route. */
  answerSnsRequest(route: string, url: URL, res: ServerResponse): Promise<boolean>;
  /** Cancels everything scheduled or in flight and zeroes the counters; subscriptions stay. */
  reset(): void;
  stop(): Promise<void>;
}

/** Path of the SNS stand-in under the control prefix (certificate and SubscribeURL). */
export const SNS_ROUTE_PREFIX = 'sns/';

/**
 * Turns accepted messages into SES events and posts them as signed SNS notifications, with the
 * delays, duplicates, reordering and retries SNS shows. Nothing happens while `webhookUrl` is null.
 */
export function createSimEvents(deps: {
  /** The simulator's base URL (known once it listens). */
  baseUrl: () => string;
  state: SimulatorState;
  logger: Logger;
  options?: Partial<SimEventsOptions>;
}): SimEventsEngine {
  const { logger } = deps;
  let options = applySimEventsOptions(defaultSimEventsOptions(), deps.options ?? {});
  const counts = { posted: 0, failed: 0, dropped: 0 };
  const identity = createSnsSigningIdentity();
  const http = snsHttpClient();
  const work = pendingWork((err) => logger.error({ err }, 'SES simulator: posting an SES event failed'));
  let stopped = false;
  const snsBase = () => `${deps.baseUrl()}/_simulator/${SNS_ROUTE_PREFIX}`;

  const signer = async (): Promise<SnsSigner> => ({
    certUrl: `${snsBase()}${identity.certFileName}`,
    keyPem: (await identity.get()).keyPem,
    signatureVersion: options.signatureVersion,
  });

  /** One POST, within the in-flight cap. */
  const attempt = async (endpoint: string, envelope: SnsEnvelope, subscriptionArn: string | null, signal: AbortSignal) => {
    const release = await work.slot(options.maxInFlight, signal);
    try {
      return await http.post(endpoint, envelope, subscriptionArn, signal);
    } finally {
      release();
    }
  };

  const subscriptions = snsSubscriptions({
    confirmBaseUrl: () => `${snsBase()}confirm`,
    logger,
    send: async ({ topicArn, endpoint, subscribeUrl, token }, signal) => {
      const envelope = signedSubscriptionConfirmation(await signer(), { topicArn, subscribeUrl, token });
      const outcome = await attempt(endpoint, envelope, null, signal);
      logger.debug({ topicArn, status: outcome.status, error: outcome.error }, 'SES simulator: subscription confirmation posted');
    },
  });

  /**
   * Delivers one envelope under SNS's policy. Only the first attempt is awaited, so a message's
   * later events are not held up; retries (and so their arrival after later events) run apart.
   */
  const deliver = async (endpoint: string, envelope: SnsEnvelope, subscriptionArn: string, signal: AbortSignal) => {
    const log = { snsMessageId: envelope.MessageId, topicArn: envelope.TopicArn };
    const settle = (result: 'delivered' | 'refused' | 'retry', status: number | null) => {
      if (result === 'delivered') counts.posted += 1;
      else {
        counts.failed += 1;
        logger.warn({ ...log, status }, 'SES simulator: the webhook did not take an SNS notification');
      }
    };
    const first = await attempt(endpoint, envelope, subscriptionArn, signal);
    logger.debug({ ...log, status: first.status, error: first.error }, 'SES simulator: SNS notification posted');
    if (first.result !== 'retry' || options.retries === 0) return settle(first.result, first.status);
    work.run(async (retrySignal) => {
      let last = first;
      for (let retry = 1; retry <= options.retries && last.result === 'retry'; retry += 1) {
        await work.sleep(options.retryDelayMs, retrySignal);
        // A subscription belongs to its endpoint: once the webhook moved (or was unset), SNS no longer posts there.
        if (options.webhookUrl !== endpoint) {
          counts.dropped += 1;
          return;
        }
        last = await attempt(endpoint, envelope, subscriptionArn, retrySignal);
        logger.debug({ ...log, retry, status: last.status, error: last.error }, 'SES simulator: SNS notification retried');
      }
      settle(last.result, last.status);
    });
  };

  const publish = async (message: SimMessage, sender: SenderFacts, event: PlannedEvent, signal: AbortSignal) => {
    const endpoint = options.webhookUrl;
    const topicArn = topicArnFor(message.region, message.accountId);
    const subscriptionArn = endpoint ? await subscriptions.confirmed(topicArn, endpoint, signal) : null;
    if (signal.aborted) return; // reset or stopped meanwhile: not a drop to count
    if (!endpoint || !subscriptionArn) {
      counts.dropped += 1;
      logger.debug({ messageId: message.messageId, event: event.detail.kind, topicArn }, 'SES simulator: event dropped (no confirmed subscription)');
      return;
    }
    const at = new Date(Date.parse(message.acceptedAt) + event.atMs);
    const payload = sesEventPayload(message, sender, event.detail, at);
    const envelope = signedNotification(await signer(), { topicArn, message: payload });
    await deliver(endpoint, envelope, subscriptionArn, signal);
    if (options.random() < options.duplicateProbability) {
      // SNS delivers at least once: the very same envelope (same MessageId and signature) again, later.
      const again = between(options.deliveryDelayMs, options.random);
      work.run(async (dupSignal) => {
        await work.sleep(again, dupSignal);
        if (options.webhookUrl === endpoint) await deliver(endpoint, envelope, subscriptionArn, dupSignal);
      });
    }
  };

  const senderFacts = (message: SimMessage): SenderFacts => {
    const account = deps.state.findAccount(message.accessKeyId);
    return {
      identity: (account && verifiedIdentityFor(account, message.source)) ?? domainOf(message.source),
      callerIdentity: account?.userName ?? 'herald-sim',
      sourceIp: '127.0.0.1', // every caller of a local simulator is local
    };
  };

  return {
    accept(message) {
      if (options.webhookUrl === null || stopped) return;
      const sender = senderFacts(message);
      const planned = planSesEvents(message, options);
      const acceptedAt = Date.now();
      const waitUntil = (atMs: number, signal: AbortSignal) => work.sleep(Math.max(0, acceptedAt + atMs - Date.now()), signal);
      if (options.reorder) {
        for (const event of reorderPlan(planned, options)) {
          work.run(async (signal) => {
            await waitUntil(event.atMs, signal);
            await publish(message, sender, event, signal);
          });
        }
        return;
      }
      // In order: each event waits for the previous one's first attempt, as well as for its time.
      work.run(async (signal) => {
        for (const event of planned) {
          await waitUntil(event.atMs, signal);
          await publish(message, sender, event, signal);
        }
      });
    },

    async answerSnsRequest(route, url, res) {
      if (route === `GET ${SNS_ROUTE_PREFIX}${identity.certFileName}`) {
        const { certPem } = await identity.get();
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.end(certPem);
        return true;
      }
      if (route === `GET ${SNS_ROUTE_PREFIX}confirm`) {
        subscriptions.answerConfirm(url, res);
        return true;
      }
      return false;
    },

    configure(patch) {
      options = applySimEventsOptions(options, patch);
    },
    options: () => publicSimEventsOptions(options),
    idle: () => work.idle(),
    stats: () => ({ ...counts, confirmedTopics: subscriptions.confirmedTopics() }),

    reset() {
      work.cancel();
      Object.assign(counts, { posted: 0, failed: 0, dropped: 0 });
    },
    async stop() {
      stopped = true;
      work.cancel();
      await work.idle();
      http.close();
    },
  };
}

function between([min, max]: [number, number], random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}
