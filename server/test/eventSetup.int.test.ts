import { DescribeConfigurationSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { simAccountSchema } from '../src/dev/accounts.js';
import { AppError } from '../src/errors.js';
import { setupEmailEvents } from '../src/services/channels/eventSetup.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Event-tracking setup against the simulator's SES and SNS APIs, through the
 * real tRPC and REST edges, with SNS's confirmation answered by Herald's own
 * webhook. The simulator's implicit webhook is off: events arrive only
 * through what setup created.
 */
const h = useHeraldWithSimulator({ roles: { http: true, worker: true }, simulatorSns: true });

type Account = ReturnType<typeof simAccount>;
const clientOptions = (account: Account) => ({
  endpoint: h.sim.url,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
});

/** What exists in the tenant's AWS account, as AWS itself lists it. */
async function awsState(account: Account) {
  const ses = new SESClient(clientOptions(account));
  const sns = new SNSClient(clientOptions(account));
  try {
    const topics = ((await sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn as string).filter((arn) => arn.includes(`:${account.accountId}:`));
    const described = await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'herald-events', ConfigurationSetAttributeNames: ['eventDestinations'] })).catch(() => null);
    const topicArn = topics[0];
    const subscriptions = topicArn ? ((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? []) : [];
    const attributes = topicArn ? ((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {}) : {};
    return { topics, destinations: described?.EventDestinations ?? null, subscriptions, attributes };
  } finally {
    ses.destroy();
    sns.destroy();
  }
}

const confirmed = (sender: Sender) =>
  vi.waitFor(
    async () => {
      const health = await sender.agent.trpc.channels.email.health.query();
      expect(health.subscription?.confirmedAt).toEqual(expect.any(String));
      return health;
    },
    { timeout: 15_000, interval: 100 },
  );

async function setUpSender(account = simAccount()): Promise<Sender & { account: Account }> {
  const sender = await readySender(h.herald, h.sim, account, 'Setup');
  return { ...sender, account };
}

describe('setting up event tracking', () => {
  it('creates configuration set, topic, destination and a subscription the webhook confirms; a rerun creates nothing new', async () => {
    const sender = await setUpSender();
    expect((await sender.agent.trpc.channels.email.health.query()).verdict.state).toBe('not-set-up');

    const first = await sender.agent.trpc.channels.email.setupEvents.mutate();
    expect(first.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(['configurationSet:created', 'topic:created', 'eventDestination:created', 'subscription:created']);
    expect(first).toMatchObject({ configurationSetName: 'herald-events', topicArn: `arn:aws:sns:us-east-1:${sender.accountId}:herald-events`, webhookUrl: `${h.herald.url}/webhooks/email` });

    const health = await confirmed(sender);
    expect(health.subscription).toMatchObject({ topicArn: first.topicArn, managedByHerald: true, unsubscribedAt: null });
    expect(health.verdict.state).toBe('ready');
    expect((await sender.agent.trpc.channels.email.get.query()).configurationSetName).toBe('herald-events');

    const aws = await awsState(sender.account);
    expect(aws.topics).toEqual([first.topicArn]);
    expect(aws.attributes.SignatureVersion).toBe('2');
    expect(JSON.parse(aws.attributes.Policy ?? '{}').Statement).toContainEqual(expect.objectContaining({ Principal: { Service: 'ses.amazonaws.com' }, Action: 'SNS:Publish' }));
    expect(aws.destinations).toHaveLength(1);
    expect(aws.destinations?.[0]).toMatchObject({ Enabled: true, SNSDestination: { TopicARN: first.topicArn } });
    expect([...(aws.destinations?.[0]?.MatchingEventTypes ?? [])].sort()).toEqual(
      ['bounce', 'click', 'complaint', 'delivery', 'deliveryDelay', 'open', 'reject', 'renderingFailure', 'send', 'subscription'],
    );
    expect(aws.subscriptions).toHaveLength(1);
    expect(aws.subscriptions[0]).toMatchObject({ Endpoint: `${h.herald.url}/webhooks/email`, Protocol: 'http' });
    expect(aws.subscriptions[0]?.SubscriptionArn).toMatch(/^arn:aws:sns:/);

    const again = await sender.agent.trpc.channels.email.setupEvents.mutate();
    expect(again.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(['configurationSet:reused', 'topic:reused', 'eventDestination:reused', 'subscription:reused']);
    expect(again.subscriptionConfirmed).toBe(true);
    const after = await awsState(sender.account);
    expect({ topics: after.topics, destinations: after.destinations?.length, subscriptions: after.subscriptions.length }).toEqual({ topics: aws.topics, destinations: 1, subscriptions: 1 });

    // Reconnecting the same account (new keys or sender, configuration set left empty) keeps the setup.
    const { accessKeyId, secretAccessKey } = sender.account;
    await sender.agent.trpc.channels.email.connect.mutate({ accessKeyId, secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test' });
    expect((await sender.agent.trpc.channels.email.get.query()).configurationSetName).toBe('herald-events');
    expect((await sender.agent.trpc.channels.email.health.query()).setup).toMatchObject({ topicArn: first.topicArn, setupAt: expect.any(String) });
  });

  it('names the denied action when setup stops half-way, and a retry completes it without duplicates', async () => {
    const account = simAccount({ failures: { accessDenied: ['sns:Subscribe'] } });
    const sender = await setUpSender(account);
    type Failure = { message: string; data: { code: string; details: Record<string, unknown> } };
    const err = await sender.agent.trpc.channels.email.setupEvents.mutate().then(
      () => expect.fail('setup should have stopped at the subscription'),
      (e: unknown) => e as Failure,
    );
    // SNS names an IAM denial AuthorizationError.
    expect(err.message).toMatch(/^Subscribing Herald's webhook to the topic failed: .*not allowed to call sns:Subscribe.*AuthorizationError/);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.data.details).toMatchObject({ failedStep: 'subscription', action: 'sns:Subscribe', awsErrorCode: expect.stringMatching(/^AuthorizationError/) });
    const stopped = await sender.agent.trpc.channels.email.health.query();
    expect(stopped.setup.error).toMatch(/sns:Subscribe/);
    expect(stopped.verdict.state).toBe('not-set-up');
    expect((await sender.agent.trpc.channels.email.get.query()).configurationSetName).toBeNull();

    h.sim.state.putAccount(simAccountSchema.parse({ ...account, failures: {} }));
    const retry = await sender.agent.trpc.channels.email.setupEvents.mutate();
    expect(retry.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(['configurationSet:reused', 'topic:reused', 'eventDestination:reused', 'subscription:created']);
    expect((await confirmed(sender)).setup.error).toBeNull();
    const aws = await awsState(account);
    expect({ topics: aws.topics.length, destinations: aws.destinations?.length, subscriptions: aws.subscriptions.length }).toEqual({ topics: 1, destinations: 1, subscriptions: 1 });
  });

  it('is offered over REST with an API key, and refused before anything is created when SES is not connected', async () => {
    const sender = await setUpSender();
    const { key } = await sender.agent.trpc.apiKeys.create.mutate({ name: 'ops' });
    const url = `${h.herald.url}/api/tenant/channels/email/events/setup`;
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { steps: { outcome: string }[] }).steps.map((s) => s.outcome)).toEqual(['created', 'created', 'created', 'created']);
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);

    await sender.agent.trpc.channels.email.disconnect.mutate();
    await expect(sender.agent.trpc.channels.email.setupEvents.mutate()).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' }, message: /not connected/ });
  });

  it('refuses, against real AWS, a PUBLIC_URL that SNS could never reach, before any AWS call', async () => {
    const sender = await setUpSender();
    const realAws = { ...h.herald.deps, env: { ...h.herald.deps.env, sesEndpoint: undefined, publicUrl: new URL('http://localhost:3000') } };
    const err = await setupEmailEvents(realAws, sender.tenantId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'PRECONDITION_FAILED', details: { problem: 'WEBHOOK_NOT_PUBLIC' } });
    expect((err as Error).message).toMatch(/SNS could never reach http:\/\/localhost:3000\/webhooks\/email .*PUBLIC_URL/);
    expect((await awsState(sender.account)).topics).toEqual([]);
    const health = await sender.agent.trpc.channels.email.health.query();
    expect(health).toMatchObject({ simulator: true, webhookProblem: null });
  });
});
