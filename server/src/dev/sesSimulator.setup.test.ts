import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  DeleteConfigurationSetEventDestinationCommand,
  DescribeConfigurationSetCommand,
  type EventDestination,
  ListConfigurationSetsCommand,
  SendEmailCommand,
  SESClient,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-ses';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_SECRET_ACCESS_KEY, presetAccounts, type SimAccount } from './accounts.js';
import { type SesSimulator, type SimEventsOptions, startSesSimulator } from './sesSimulator.js';
import { startSnsTestReceiver, type SnsTestReceiver, type SnsTestReceiverOptions } from './snsTestReceiver.js';

const SIM = 'simulator.amazonses.com';
const FAST: Partial<SimEventsOptions> = { deliveryDelayMs: [5, 15], openProbability: 0, clickProbability: 0, retryDelayMs: 20 };
const credentials = { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY };

let sim: SesSimulator | undefined;
const receivers: SnsTestReceiver[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const r of receivers.splice(0)) await r.stop();
  for (const c of clients.splice(0)) c.destroy();
});

async function start(events: Partial<SimEventsOptions> = {}) {
  sim = await startSesSimulator({ events: { ...FAST, ...events } });
  // One endpoint for all three services, as Herald configures them.
  const config = { endpoint: sim.url, region: 'us-east-1', maxAttempts: 1, credentials };
  const ses = new SESClient(config);
  const sns = new SNSClient(config);
  const sts = new STSClient(config);
  clients.push(ses, sns, sts);
  return { sim, ses, sns, sts };
}

async function receiver(options: Partial<SnsTestReceiverOptions> = {}) {
  const r = await startSnsTestReceiver({ allow: () => (sim ? [sim.url] : []), ...options });
  receivers.push(r);
  return r;
}

const confirmationsOf = (r: SnsTestReceiver) => r.posts.filter((p) => p.envelope.Type === 'SubscriptionConfirmation');
const kindsOf = (r: SnsTestReceiver) => r.events().map((e) => e.eventType);

/** A topic with the receiver subscribed and confirmed; returns the ARNs. */
async function confirmedTopic(sns: SNSClient, endpoint: string, name = 'ses-events') {
  const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: name }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: endpoint }));
  await sim?.events.idle(); // the receiver visits the SubscribeURL before it answers the confirmation
  const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  return { topicArn: TopicArn, subscriptionArn: listed.Subscriptions?.[0]?.SubscriptionArn ?? '' };
}

const destination = (topicArn: string, patch: Partial<EventDestination> = {}): EventDestination => ({
  Name: 'to-sns',
  Enabled: true,
  MatchingEventTypes: ['send', 'delivery'],
  SNSDestination: { TopicARN: topicArn },
  ...patch,
});

const sendVia = (ses: SESClient, ConfigurationSetName?: string) =>
  ses.send(
    new SendEmailCommand({
      Source: 'demo@herald.test',
      Destination: { ToAddresses: [`success@${SIM}`] },
      Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } },
      ...(ConfigurationSetName ? { ConfigurationSetName } : {}),
    }),
  );

describe('SNS topics and subscriptions', () => {
  it('creates a topic once per name and reports its attributes; unknown topics are NotFound (404)', async () => {
    const { sns, sts } = await start();
    const first = await sns.send(new CreateTopicCommand({ Name: 'ses-events', Attributes: { DisplayName: 'SES' } }));
    const again = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    expect(first.TopicArn).toBe(`arn:aws:sns:us-east-1:${DEMO_ACCOUNT_ID}:ses-events`);
    expect(again.TopicArn).toBe(first.TopicArn);
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: first.TopicArn }]);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn }));
    expect(Attributes).toMatchObject({
      TopicArn: first.TopicArn,
      Owner: DEMO_ACCOUNT_ID,
      DisplayName: 'SES',
      SignatureVersion: '1',
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
    });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(DEMO_ACCOUNT_ID);

    await expect(sns.send(new CreateTopicCommand({ Name: 'bad name!' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await sns.send(new DeleteTopicCommand({ TopicArn: first.TopicArn }));
    const missing = sns.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn }));
    await expect(missing).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } });
  });

  it('confirms an HTTP subscription through its SubscribeURL, without duplicating it on a second Subscribe', async () => {
    const { sim, sns } = await start();
    const r = await receiver();
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    const answer = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: r.url }));
    expect(answer.SubscriptionArn).toBe('pending confirmation');
    await sim.events.idle();

    expect(confirmationsOf(r)).toHaveLength(1);
    expect(confirmationsOf(r)[0]).toMatchObject({ signatureValid: true, envelope: { TopicArn } });
    const arn = r.confirmations[0]?.subscriptionArn ?? '';
    expect(arn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions).toEqual([{ SubscriptionArn: arn, Owner: DEMO_ACCOUNT_ID, Protocol: 'http', Endpoint: r.url, TopicArn }]);

    const repeat = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: r.url }));
    expect(repeat.SubscriptionArn).toBe(arn);
    await sim.events.idle();
    expect(confirmationsOf(r)).toHaveLength(1);
    const attributes = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
    expect(attributes.Attributes).toMatchObject({ PendingConfirmation: 'false', Endpoint: r.url, Protocol: 'http' });
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.SubscriptionsConfirmed).toBe('1');
    expect(sim.events.stats().confirmedTopics).toEqual([TopicArn]);

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
  });

  it('keeps an unconfirmed subscription pending, re-sends its confirmation on a second Subscribe, and refuses bad input', async () => {
    const { sim, sns } = await start();
    const r = await receiver({ confirm: false });
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    const withArn = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: r.url, ReturnSubscriptionArn: true }));
    expect(withArn.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: r.url }));
    await sim.events.idle();
    expect(confirmationsOf(r).map((p) => p.envelope.Token)).toHaveLength(2);
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual(['PendingConfirmation']);

    const invalid = { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } };
    await expect(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'a@b.test' }))).rejects.toMatchObject(invalid);
    await expect(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: r.url }))).rejects.toMatchObject(invalid);
    const unknownTopic = sns.send(new SubscribeCommand({ TopicArn: `${TopicArn}-x`, Protocol: 'http', Endpoint: r.url }));
    await expect(unknownTopic).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it.each(['sns:Subscribe', 'Subscribe'])('answers AccessDenied naming sns:Subscribe and the topic (denied as %s)', async (denied) => {
    const { sim, sns } = await start();
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    const demo = presetAccounts().find((a) => a.accessKeyId === DEMO_ACCESS_KEY_ID) as SimAccount;
    sim.state.putAccount({ ...demo, failures: { ...demo.failures, accessDenied: [denied] } });
    const refused = sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/x' }));
    await expect(refused).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
      message: `User: arn:aws:iam::${DEMO_ACCOUNT_ID}:user/herald-demo is not authorized to perform: sns:Subscribe on resource: ${TopicArn}`,
      $metadata: { httpStatusCode: 403 },
    });
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toHaveLength(1);
  });
});

describe('configuration sets and event destinations', () => {
  it('creates, describes and lists configuration sets with SES errors for duplicates and unknowns', async () => {
    const { sns, ses } = await start();
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tenant-a' } }));
    await expect(ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tenant-a' } }))).rejects.toMatchObject({
      name: 'ConfigurationSetAlreadyExistsException',
    });
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestination: destination(TopicArn) }));
    const described = await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'tenant-a', ConfigurationSetAttributeNames: ['eventDestinations'] }));
    expect(described.ConfigurationSet).toEqual({ Name: 'tenant-a' });
    expect(described.EventDestinations).toEqual([destination(TopicArn)]);
    expect((await ses.send(new ListConfigurationSetsCommand({}))).ConfigurationSets).toEqual([{ Name: 'tenant-a' }]);

    const create = (ConfigurationSetName: string, patch: Partial<EventDestination>) =>
      ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName, EventDestination: destination(TopicArn, patch) }));
    await expect(create('tenant-a', {})).rejects.toMatchObject({ name: 'EventDestinationAlreadyExistsException' });
    await expect(create('nope', { Name: 'x' })).rejects.toMatchObject({ name: 'ConfigurationSetDoesNotExistException' });
    await expect(create('tenant-a', { Name: 'x', SNSDestination: { TopicARN: `${TopicArn}-gone` } })).rejects.toMatchObject({
      name: 'InvalidSNSDestinationException',
    });
    await expect(create('tenant-a', { Name: 'x', MatchingEventTypes: ['sent' as 'send'] })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const removeMissing = ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestinationName: 'x' }));
    await expect(removeMissing).rejects.toMatchObject({ name: 'EventDestinationDoesNotExistException' });
  });

  it('routes the events of a send naming the set through its destination only, until the destination is disabled or removed', async () => {
    const webhook = await receiver();
    const { sim, sns, ses } = await start({ webhookUrl: webhook.url });
    const subscriber = await receiver();
    const { topicArn, subscriptionArn } = await confirmedTopic(sns, subscriber.url);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tenant-a' } }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestination: destination(topicArn) }));

    const out = await sendVia(ses, 'tenant-a');
    await sim.events.idle();
    expect(kindsOf(subscriber)).toEqual(['Send', 'Delivery']);
    expect(subscriber.events().map((e) => (e.mail as { messageId: string }).messageId)).toEqual([out.MessageId, out.MessageId]);
    const notification = subscriber.posts.find((p) => p.envelope.Type === 'Notification');
    expect(notification).toMatchObject({ signatureValid: true, envelope: { TopicArn: topicArn, SignatureVersion: '1' } });
    expect(notification?.headers['x-amz-sns-subscription-arn']).toBe(subscriptionArn);
    expect(webhook.posts).toEqual([]);

    const update = (patch: Partial<EventDestination>) =>
      ses.send(new UpdateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestination: destination(topicArn, patch) }));
    await update({ Enabled: false });
    await sendVia(ses, 'tenant-a');
    await update({ MatchingEventTypes: ['bounce'] });
    await sendVia(ses, 'tenant-a');
    await ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestinationName: 'to-sns' }));
    await sendVia(ses, 'tenant-a');
    await sim.events.idle();
    expect(kindsOf(subscriber)).toEqual(['Send', 'Delivery']);
    expect(webhook.posts).toEqual([]);

    // A set the API never made keeps the implicit topic to webhookUrl.
    await sendVia(ses, 'not-created');
    await sim.events.idle();
    expect(webhook.events().map((e) => e.eventType)).toEqual(['Send', 'Delivery']);
  });

  it('publishes without a webhook URL, signs with the topic SignatureVersion, and drops events for pending subscriptions', async () => {
    const { sim, sns, ses } = await start();
    const confirmed = await receiver();
    const pending = await receiver({ confirm: false });
    const { topicArn } = await confirmedTopic(sns, confirmed.url);
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: pending.url }));
    await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tenant-a' } }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestination: destination(topicArn) }));

    await sendVia(ses, 'tenant-a');
    await sim.events.idle();
    expect(kindsOf(confirmed)).toEqual(['Send', 'Delivery']);
    expect(confirmed.posts.filter((p) => p.envelope.Type === 'Notification').every((p) => p.envelope.SignatureVersion === '2' && p.signatureValid)).toBe(true);
    expect(pending.posts.filter((p) => p.envelope.Type === 'Notification')).toEqual([]);
    expect(sim.events.stats()).toMatchObject({ posted: 2, dropped: 2 });
  });

  it("routes a send naming no set through the account's defaultConfigurationSet once the API created it", async () => {
    const webhook = await receiver();
    const { sim, sns, ses } = await start({ webhookUrl: webhook.url });
    const subscriber = await receiver();
    const { topicArn } = await confirmedTopic(sns, subscriber.url);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'herald-demo-events' } }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'herald-demo-events', EventDestination: destination(topicArn) }));
    await sendVia(ses);
    await sim.events.idle();
    expect(kindsOf(subscriber)).toEqual(['Send', 'Delivery']);
    expect(webhook.posts).toEqual([]);
  });

  it('keeps configuration sets, topics and subscriptions across reset and shows them on the control endpoints', async () => {
    const { sim, sns, ses } = await start();
    const r = await receiver();
    const { topicArn, subscriptionArn } = await confirmedTopic(sns, r.url);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tenant-a' } }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'tenant-a', EventDestination: destination(topicArn) }));
    await fetch(`${sim.url}/_simulator/reset`, { method: 'POST' });

    const topics = (await (await fetch(`${sim.url}/_simulator/sns/topics`)).json()) as unknown[];
    expect(topics).toEqual([
      {
        topicArn,
        attributes: expect.objectContaining({ SubscriptionsConfirmed: '1', SignatureVersion: '1' }),
        subscriptions: [{ subscriptionArn, status: 'confirmed', protocol: 'http', endpoint: r.url }],
      },
    ]);
    const sets = await (await fetch(`${sim.url}/_simulator/configuration-sets?accountId=${DEMO_ACCOUNT_ID}`)).json();
    expect(sets).toEqual([
      { accountId: DEMO_ACCOUNT_ID, region: 'us-east-1', name: 'tenant-a', eventDestinations: [{ name: 'to-sns', enabled: true, matchingEventTypes: ['send', 'delivery'], topicArn }] },
    ]);
    expect(await (await fetch(`${sim.url}/_simulator/configuration-sets?accountId=444455556666`)).json()).toEqual([]);

    await sendVia(ses, 'tenant-a');
    await sim.events.idle();
    expect(kindsOf(r)).toEqual(['Send', 'Delivery']);
  });
});
