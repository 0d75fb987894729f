import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  DescribeConfigurationSetCommand,
  type EventDestination,
  type EventType,
  type SESClient,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-ses';
import { CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SetTopicAttributesCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { callAws, type AwsAction } from './awsErrors.js';
import { asSdkError } from './sdkError.js';

/**
 * Every event type SES can publish: Herald wants all of them, so nothing is silently missing later.
 * The v1 SDK's EventType union stops at renderingFailure; configuration sets are shared with SES v2,
 * whose event destinations also publish deliveryDelay and subscription, so the names are sent as strings.
 */
export const SES_EVENT_TYPES = ['send', 'reject', 'bounce', 'complaint', 'delivery', 'open', 'click', 'renderingFailure', 'deliveryDelay', 'subscription'] as EventType[];
export const DEFAULT_CONFIGURATION_SET = 'herald-events';
export const EVENTS_TOPIC_NAME = 'herald-events';
export const EVENT_DESTINATION_NAME = 'herald-sns';

export type SetupStepName = 'configurationSet' | 'topic' | 'eventDestination' | 'subscription';
export type SetupStep = { step: SetupStepName; outcome: 'created' | 'reused' | 'updated'; detail: string };

/** One call where one AWS error is an expected answer (null), not a failure: "does not exist", "already exists". */
async function callOrNull<T>(action: AwsAction, region: string, fn: () => Promise<T>, expected: RegExp): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (expected.test(asSdkError(err).name)) return null;
    return callAws(action, region, () => Promise.reject(err));
  }
}

/** The configuration set every send names; created when missing (a concurrent creator counts as reuse). */
export async function ensureConfigurationSet(ses: SESClient, region: string, name: string): Promise<SetupStep> {
  const existing = await describeConfigurationSet(ses, region, name);
  if (existing) return { step: 'configurationSet', outcome: 'reused', detail: `Configuration set ${name} already exists.` };
  const created = await callOrNull('ses:CreateConfigurationSet', region, () => ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: name } })), /^ConfigurationSetAlreadyExists/);
  if (!created) return { step: 'configurationSet', outcome: 'reused', detail: `Configuration set ${name} already exists.` };
  return { step: 'configurationSet', outcome: 'created', detail: `Created configuration set ${name}.` };
}

/** The set's event destinations, or null when the set does not exist. */
async function describeConfigurationSet(ses: SESClient, region: string, name: string): Promise<EventDestination[] | null> {
  const out = await callOrNull('ses:DescribeConfigurationSet', region, () =>
    ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: name, ConfigurationSetAttributeNames: ['eventDestinations'] })), /^ConfigurationSetDoesNotExist/);
  return out ? (out.EventDestinations ?? []) : null;
}

/**
 * Lets SES publish to the topic, only for this account's sends. It replaces
 * the default topic policy; the account's own users keep what their IAM
 * policies allow (docs/aws-setup.md shows the same document).
 */
export function topicPolicy(topicArn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowSesPublish',
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topicArn,
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  });
}

/**
 * A standard topic signing with SignatureVersion 2 (SHA256) that SES may
 * publish to. CreateTopic is idempotent by name only while the attributes
 * match, so the topic is made bare and its attributes set afterwards.
 */
export async function ensureTopic(sns: SNSClient, region: string, accountId: string): Promise<SetupStep & { topicArn: string }> {
  const expectedArn = `arn:aws:sns:${region}:${accountId}:${EVENTS_TOPIC_NAME}`;
  const attributes = await topicAttributes(sns, region, expectedArn);
  let topicArn = expectedArn;
  if (!attributes) {
    const out = await callAws('sns:CreateTopic', region, () => sns.send(new CreateTopicCommand({ Name: EVENTS_TOPIC_NAME })));
    topicArn = out.TopicArn ?? expectedArn;
  }
  const policy = topicPolicy(topicArn, accountId);
  const wanted: Record<string, string> = { SignatureVersion: '2', Policy: policy };
  let changed = false;
  for (const [name, value] of Object.entries(wanted)) {
    if (attributes?.[name] === value) continue;
    changed = true;
    await callAws('sns:SetTopicAttributes', region, () => sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: name, AttributeValue: value })));
  }
  if (!attributes) return { step: 'topic', outcome: 'created', detail: `Created SNS topic ${topicArn} (SignatureVersion 2).`, topicArn };
  return changed
    ? { step: 'topic', outcome: 'updated', detail: `Set SignatureVersion 2 and the SES publishing policy on ${topicArn}.`, topicArn }
    : { step: 'topic', outcome: 'reused', detail: `SNS topic ${topicArn} already exists.`, topicArn };
}

async function topicAttributes(sns: SNSClient, region: string, topicArn: string): Promise<Record<string, string> | null> {
  const out = await callOrNull('sns:GetTopicAttributes', region, () => sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })), /^NotFound/);
  return out ? (out.Attributes ?? {}) : null;
}

/** An enabled destination publishing every event type to the topic: Herald's own is updated in place, never duplicated. */
export async function ensureEventDestination(ses: SESClient, region: string, configurationSet: string, topicArn: string): Promise<SetupStep> {
  const destinations = (await describeConfigurationSet(ses, region, configurationSet)) ?? [];
  const complete = (d: EventDestination) =>
    d.Enabled === true && d.SNSDestination?.TopicARN === topicArn && SES_EVENT_TYPES.every((t) => d.MatchingEventTypes?.includes(t));
  const already = destinations.find(complete);
  if (already) return { step: 'eventDestination', outcome: 'reused', detail: `Event destination ${already.Name} already publishes every event type to the topic.` };
  const EventDestination: EventDestination = { Name: EVENT_DESTINATION_NAME, Enabled: true, MatchingEventTypes: SES_EVENT_TYPES, SNSDestination: { TopicARN: topicArn } };
  if (destinations.some((d) => d.Name === EVENT_DESTINATION_NAME)) {
    await callAws('ses:UpdateConfigurationSetEventDestination', region, () =>
      ses.send(new UpdateConfigurationSetEventDestinationCommand({ ConfigurationSetName: configurationSet, EventDestination })),
    );
    return { step: 'eventDestination', outcome: 'updated', detail: `Event destination ${EVENT_DESTINATION_NAME} now publishes every event type to the topic.` };
  }
  await callAws('ses:CreateConfigurationSetEventDestination', region, () =>
    ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: configurationSet, EventDestination })),
  );
  return { step: 'eventDestination', outcome: 'created', detail: `Created event destination ${EVENT_DESTINATION_NAME}: every SES event type → the topic.` };
}

/** SNS's ARN for a subscription still waiting for its endpoint to confirm. */
const PENDING = /^pending ?confirmation$/i;

/**
 * The webhook's HTTP(S) subscription. A confirmed one is reused; for a
 * pending one, Subscribe again makes SNS send the confirmation again (it
 * creates nothing new), which Herald's webhook then confirms.
 */
export async function ensureSubscription(sns: SNSClient, region: string, topicArn: string, endpoint: string): Promise<SetupStep & { subscriptionArn: string | null }> {
  let nextToken: string | undefined;
  do {
    const page = await callAws('sns:ListSubscriptionsByTopic', region, () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken })));
    const mine = page.Subscriptions?.find((s) => s.Endpoint === endpoint && (s.Protocol === 'https' || s.Protocol === 'http'));
    if (mine?.SubscriptionArn && !PENDING.test(mine.SubscriptionArn)) {
      return { step: 'subscription', outcome: 'reused', detail: `${endpoint} is already subscribed to the topic.`, subscriptionArn: mine.SubscriptionArn };
    }
    if (mine) break;
    nextToken = page.NextToken;
  } while (nextToken);
  const protocol = new URL(endpoint).protocol === 'https:' ? 'https' : 'http';
  const out = await callAws('sns:Subscribe', region, () => sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, ReturnSubscriptionArn: true })));
  return {
    step: 'subscription',
    outcome: 'created',
    detail: `Subscribed ${endpoint} to the topic; SNS sends a confirmation that Herald's webhook answers.`,
    subscriptionArn: out.SubscriptionArn && !PENDING.test(out.SubscriptionArn) ? out.SubscriptionArn : null,
  };
}
