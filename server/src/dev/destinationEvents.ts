import type { SesEventType } from './configSets.js';
import type { SesEventKind } from './sesEventPayloads.js';
import type { SimMessage, SimulatorState } from './simulatorState.js';
import type { SnsSubscription, SnsTopic } from './snsTopics.js';

/** One topic an event is published to, through one event destination of the message's configuration set. */
export interface DestinationRoute {
  topic: SnsTopic;
  /** Subscriptions SNS posts to. */
  confirmed: SnsSubscription[];
  /** Subscriptions still waiting for their endpoint's confirmation: SNS sends them nothing. */
  pending: number;
}

/**
 * Whether SES publishes a message's events through configuration-set event destinations: when its
 * set (named, or the account's default) was created through the API in its account and region.
 * Otherwise they take the simulator's implicit topic to `webhookUrl` (README, "SES events over SNS").
 */
export function usesEventDestinations(state: SimulatorState, message: SimMessage): boolean {
  return state.configSets.find(message.accountId, message.region, message.configurationSetName) !== undefined;
}

/** The topics an event reaches now: enabled destinations whose MatchingEventTypes include it, whose topic still exists. */
export function destinationRoutes(state: SimulatorState, message: SimMessage, kind: SesEventKind): DestinationRoute[] {
  const set = state.configSets.find(message.accountId, message.region, message.configurationSetName);
  // SES's event kinds (Send, Delivery, …) are MatchingEventTypes' names capitalised.
  const type = kind.toLowerCase() as SesEventType;
  return (set?.eventDestinations ?? [])
    .filter((d) => d.enabled && d.matchingEventTypes.includes(type))
    .flatMap((d) => {
      const topic = state.topics.find(message.region, message.accountId, d.topicArn);
      if (!topic) return [];
      const confirmed = topic.subscriptions.filter((s) => s.confirmed);
      return [{ topic, confirmed, pending: topic.subscriptions.length - confirmed.length }];
    });
}

/** A topic signs with the SignatureVersion attribute it was given (SNS's default is 1, SHA1withRSA). */
export function signatureVersionOf(topic: SnsTopic): '1' | '2' {
  return topic.attributes.get('SignatureVersion') === '2' ? '2' : '1';
}
