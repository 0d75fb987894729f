import type { ActionHandler } from './actionContext.js';
import { snsInvalidParameter, snsNotFound } from './awsErrors.js';
import { pageOf } from './paging.js';
import { el, type Xml } from './queryXml.js';
import type { SnsSubscription, SnsTopic } from './snsTopics.js';

/** SNS pages ListTopics and ListSubscriptionsByTopic by 100. */
const PAGE_SIZE = 100;

/** Attributes a caller may set on a topic, with their check; anything else is refused as SNS refuses it. */
const SETTABLE: Record<string, (value: string) => boolean> = {
  DisplayName: (v) => v.length <= 100,
  SignatureVersion: (v) => v === '1' || v === '2',
  Policy: () => true,
  DeliveryPolicy: () => true,
  KmsMasterKeyId: () => true,
  TracingConfig: (v) => v === 'PassThrough' || v === 'Active',
};

function checkAttribute(name: string, value: string): void {
  const valid = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
  if (!valid) throw snsInvalidParameter(`AttributeName: unknown attribute ${name}`);
  if (!valid(value)) throw snsInvalidParameter(`Attributes Reason: invalid value for ${name}: ${value}`);
}

const topicNotFound = () => snsNotFound('Topic does not exist');
const subscriptionNotFound = () => snsNotFound('Subscription does not exist');

const attributeMap = (attributes: [string, string][]) =>
  el('Attributes', ...attributes.map(([key, value]) => el('entry', el('key', key), el('value', value))));

/** CreateTopic is idempotent by name, unless the attributes given differ from the topic's. */
export const createTopic: ActionHandler = ({ state, account, region, params }) => {
  const name = params.get('Name') ?? '';
  if (!/^[\w-]{1,256}$/.test(name)) {
    throw snsInvalidParameter('Topic Name: must be 1-256 letters, digits, hyphens or underscores');
  }
  const attributes = params.entries('Attributes');
  for (const [key, value] of attributes) checkAttribute(key, value);
  const { topic, created } = state.topics.create(region, account.accountId, name);
  if (!created && [...attributes].some(([key, value]) => (topic.attributes.get(key) ?? '') !== value)) {
    throw snsInvalidParameter('Attributes Reason: Topic already exists with different attributes');
  }
  for (const [key, value] of attributes) topic.attributes.set(key, value);
  return [el('TopicArn', topic.arn)];
};

export const getTopicAttributes: ActionHandler = ({ state, account, region, params }) => {
  const topic = state.topics.find(region, account.accountId, params.get('TopicArn'));
  if (!topic) throw topicNotFound();
  return [attributeMap(Object.entries(topicAttributes(topic)))];
};

/** What GetTopicAttributes and the control endpoint show: the set attributes and the computed ones. */
export function topicAttributes(topic: SnsTopic): Record<string, string> {
  const confirmed = topic.subscriptions.filter((s) => s.confirmed).length;
  return {
    TopicArn: topic.arn,
    Owner: topic.accountId,
    DisplayName: '',
    ...Object.fromEntries(topic.attributes),
    SubscriptionsConfirmed: String(confirmed),
    SubscriptionsPending: String(topic.subscriptions.length - confirmed),
    SubscriptionsDeleted: '0',
  };
}

export const setTopicAttributes: ActionHandler = ({ state, account, region, params }) => {
  const topic = state.topics.find(region, account.accountId, params.get('TopicArn'));
  if (!topic) throw topicNotFound();
  const name = params.get('AttributeName') ?? '';
  const value = params.get('AttributeValue') ?? '';
  checkAttribute(name, value);
  topic.attributes.set(name, value);
  return [];
};

export const listTopics: ActionHandler = ({ state, account, region, params }) => {
  const topics = state.topics.list(region, account.accountId);
  const { page, nextToken } = pageOf(topics, params.get('NextToken'), PAGE_SIZE, () => snsInvalidParameter('NextToken'));
  const result: Xml[] = [el('Topics', ...page.map((t) => el('member', el('TopicArn', t.arn))))];
  if (nextToken !== undefined) result.push(el('NextToken', nextToken));
  return result;
};

/** Deleting a topic that does not exist is no error (SNS: DeleteTopic is idempotent). */
export const deleteTopic: ActionHandler = ({ state, account, region, params }) => {
  const topic = state.topics.find(region, account.accountId, params.get('TopicArn'));
  if (topic) state.topics.delete(topic);
  return [];
};

/**
 * A new endpoint gets a pending subscription and a SubscriptionConfirmation; a pending one gets the
 * confirmation again; a confirmed one is answered with its ARN. Only HTTP(S) is delivered here.
 */
export const subscribe: ActionHandler = ({ state, account, region, params, askToConfirm }) => {
  const topic = state.topics.find(region, account.accountId, params.get('TopicArn'));
  const protocol = params.get('Protocol') ?? '';
  const endpoint = params.get('Endpoint') ?? '';
  if (protocol !== 'http' && protocol !== 'https') {
    throw snsInvalidParameter(`Protocol: the simulator delivers to http and https endpoints only, not ${protocol || 'none'}`);
  }
  if (!URL.canParse(endpoint) || new URL(endpoint).protocol !== `${protocol}:`) {
    throw snsInvalidParameter('Endpoint: must be an absolute URL of the given protocol');
  }
  if (params.entries('Attributes').size > 0) throw snsInvalidParameter('Attributes: subscription attributes are not simulated');
  if (!topic) throw topicNotFound();
  const subscription = state.topics.subscribe(topic, protocol, endpoint);
  if (!subscription.confirmed) askToConfirm(topic, subscription);
  const showArn = subscription.confirmed || params.get('ReturnSubscriptionArn') === 'true';
  return [el('SubscriptionArn', showArn ? subscription.arn : 'pending confirmation')];
};

export const listSubscriptionsByTopic: ActionHandler = ({ state, account, region, params }) => {
  const topic = state.topics.find(region, account.accountId, params.get('TopicArn'));
  if (!topic) throw topicNotFound();
  const { page, nextToken } = pageOf(topic.subscriptions, params.get('NextToken'), PAGE_SIZE, () => snsInvalidParameter('NextToken'));
  const member = (s: SnsSubscription) =>
    el(
      'member',
      el('SubscriptionArn', s.confirmed ? s.arn : 'PendingConfirmation'),
      el('Owner', s.owner),
      el('Protocol', s.protocol),
      el('Endpoint', s.endpoint),
      el('TopicArn', s.topicArn),
    );
  const result: Xml[] = [el('Subscriptions', ...page.map(member))];
  if (nextToken !== undefined) result.push(el('NextToken', nextToken));
  return result;
};

export const getSubscriptionAttributes: ActionHandler = ({ state, account, region, params }) => {
  const found = state.topics.findSubscription(region, account.accountId, params.get('SubscriptionArn'));
  if (!found) throw subscriptionNotFound();
  const s = found.subscription;
  return [
    attributeMap([
      ['SubscriptionArn', s.arn],
      ['TopicArn', s.topicArn],
      ['Owner', s.owner],
      ['Protocol', s.protocol],
      ['Endpoint', s.endpoint],
      ['PendingConfirmation', String(!s.confirmed)],
      ['ConfirmationWasAuthenticated', 'false'],
      ['RawMessageDelivery', 'false'],
    ]),
  ];
};

export const unsubscribe: ActionHandler = ({ state, account, region, params }) => {
  const found = state.topics.findSubscription(region, account.accountId, params.get('SubscriptionArn'));
  if (!found) throw subscriptionNotFound();
  state.topics.unsubscribe(found.topic, found.subscription);
  return [];
};
