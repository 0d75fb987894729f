import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { destinationRoutes, signatureVersionOf, usesEventDestinations } from './destinationEvents.js';
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
import { type DeliveryCounts, snsDelivery } from './snsDelivery.js';
import { snsHttpClient } from './snsHttp.js';
import { type SnsSigner, signedNotification, signedSubscriptionConfirmation } from './snsMessages.js';
import { createSnsSigningIdentity } from './snsSigningIdentity.js';
import { snsSubscriptions, subscribeUrlFor, topicArnFor } from './snsSubscriptions.js';
import type { SnsSubscription, SnsTopic } from './snsTopics.js';
import { roundRobin, webhookEndpoint } from './webhookTargets.js';

export interface SimEventsStats {
  /** Notification POSTs answered 2xx (duplicates included, confirmations not). */
  posted: number;
  /** Notifications the endpoint refused (4xx) or that still failed after every retry. */
  failed: number;
  /** Events never posted: no webhook URL when due, or the topic's subscription unconfirmed. */
  dropped: number;
  /** Topics with a confirmed subscription (the implicit ones and those made through the SNS API). */
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
  /** Posts a SubscriptionConfirmation for a subscription made through the SNS API (Subscribe). */
  askToConfirm(topic: SnsTopic, subscription: SnsSubscription): void;
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
  const counts: DeliveryCounts = { posted: 0, failed: 0, dropped: 0 };
  const identity = createSnsSigningIdentity();
  const http = snsHttpClient();
  const work = pendingWork((err) => logger.error({ err }, 'SES simulator: posting an SES event failed'));
  const delivery = snsDelivery({ work, http, logger, options: () => options, counts });
  let stopped = false;
  const snsBase = () => `${deps.baseUrl()}/_simulator/${SNS_ROUTE_PREFIX}`;
  /** Which of the webhook's URLs gets the next post (the endpoint is a single URL unless it is balanced). */
  const nextUrl = roundRobin();
  const currentEndpoint = () => (options.webhookUrl === null ? null : webhookEndpoint(options.webhookUrl));

  const signer = async (signatureVersion = options.signatureVersion): Promise<SnsSigner> => ({
    certUrl: `${snsBase()}${identity.certFileName}`,
    keyPem: (await identity.get()).keyPem,
    signatureVersion,
  });

  const subscriptions = snsSubscriptions({
    confirmBaseUrl: () => `${snsBase()}confirm`,
    logger,
    send: async ({ topicArn, endpoint, subscribeUrl, token }, signal) => {
      const envelope = signedSubscriptionConfirmation(await signer(), { topicArn, subscribeUrl, token });
      const outcome = await delivery.attempt(nextUrl(endpoint), envelope, null, signal);
      logger.debug({ topicArn, status: outcome.status, error: outcome.error }, 'SES simulator: subscription confirmation posted');
    },
    confirmOther: (topicArn, token) => deps.state.topics.confirm(topicArn, token),
  });

  /** The implicit path: the account's `herald-ses-events` topic, subscribed by `webhookUrl`. */
  const publishToWebhook = async (message: SimMessage, sender: SenderFacts, event: PlannedEvent, signal: AbortSignal) => {
    const endpoint = currentEndpoint();
    const topicArn = topicArnFor(message.region, message.accountId);
    const subscriptionArn = endpoint ? await subscriptions.confirmed(topicArn, endpoint, signal) : null;
    if (signal.aborted) return; // reset or stopped meanwhile: not a drop to count
    if (!endpoint || !subscriptionArn) {
      counts.dropped += 1;
      logger.debug({ messageId: message.messageId, event: event.detail.kind, topicArn }, 'SES simulator: event dropped (no confirmed subscription)');
      return;
    }
    const at = new Date(Date.parse(message.acceptedAt) + event.atMs);
    const envelope = signedNotification(await signer(), { topicArn, message: sesEventPayload(message, sender, event.detail, at) });
    // A subscription belongs to its endpoint: once the webhook moved (or was unset), SNS no longer posts there.
    // Retries and duplicates of this post go to the URL it picked, as a balancer's sticky connection would.
    await delivery.deliver({ endpoint: nextUrl(endpoint), subscriptionArn, stillSubscribed: () => currentEndpoint() === endpoint }, envelope, signal);
  };

  /** The configuration set's event destinations: each topic's confirmed subscriptions get the event. */
  const publishToDestinations = async (message: SimMessage, sender: SenderFacts, event: PlannedEvent, signal: AbortSignal) => {
    const routes = destinationRoutes(deps.state, message, event.detail.kind);
    const at = new Date(Date.parse(message.acceptedAt) + event.atMs);
    for (const { topic, confirmed, pending } of routes) {
      counts.dropped += pending;
      if (confirmed.length === 0) continue;
      const topicSigner = await signer(signatureVersionOf(topic));
      const payload = sesEventPayload(message, sender, event.detail, at);
      // One publish: every subscription gets the same SNS MessageId, each its own POST.
      const messageId = randomUUID();
      await Promise.all(
        confirmed.map((sub) =>
          delivery.deliver(
            { endpoint: sub.endpoint, subscriptionArn: sub.arn, stillSubscribed: () => deps.state.topics.isConfirmed(sub) },
            signedNotification(topicSigner, { topicArn: topic.arn, message: payload, messageId }),
            signal,
          ),
        ),
      );
    }
  };

  const senderFacts = (message: SimMessage): SenderFacts => {
    const account = deps.state.findAccount(message.accessKeyId);
    return {
      identity: (account && verifiedIdentityFor(deps.state.identities.of(account, deps.state.clock()), message.source)) ?? domainOf(message.source),
      callerIdentity: account?.userName ?? 'herald-sim',
      sourceIp: '127.0.0.1', // every caller of a local simulator is local
    };
  };

  return {
    accept(message) {
      // Through API-made event destinations even without a webhook; the implicit topic only with one.
      const publish = usesEventDestinations(deps.state, message) ? publishToDestinations : publishToWebhook;
      if (stopped || (publish === publishToWebhook && options.webhookUrl === null)) return;
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

    askToConfirm(topic, subscription) {
      if (stopped) return;
      work.run(async (signal) => {
        await work.sleep(0, signal); // after the Subscribe answer has gone out, as with SNS
        const subscribeUrl = subscribeUrlFor(`${snsBase()}confirm`, topic.arn, subscription.token);
        const input = { topicArn: topic.arn, subscribeUrl, token: subscription.token };
        const envelope = signedSubscriptionConfirmation(await signer(signatureVersionOf(topic)), input);
        const outcome = await delivery.attempt(subscription.endpoint, envelope, null, signal);
        logger.debug({ topicArn: topic.arn, status: outcome.status, error: outcome.error }, 'SES simulator: subscription confirmation posted');
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
    stats: () => ({ ...counts, confirmedTopics: [...subscriptions.confirmedTopics(), ...deps.state.topics.confirmedTopicArns()] }),

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
