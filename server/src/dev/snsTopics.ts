import { randomBytes, randomUUID } from 'node:crypto';

/** An HTTP(S) subscription made through the SNS API. */
export interface SnsSubscription {
  /** Assigned at once (SNS shows it with ReturnSubscriptionArn), in use once confirmed. */
  arn: string;
  topicArn: string;
  owner: string;
  protocol: 'http' | 'https';
  endpoint: string;
  confirmed: boolean;
  /** The secret of its SubscribeURL; a repeated Subscribe re-sends the same one. */
  token: string;
}

export interface SnsTopic {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  /** Attributes the caller set (DisplayName, SignatureVersion, Policy, …); computed ones are added when read. */
  attributes: Map<string, string>;
  subscriptions: SnsSubscription[];
}

/** Topics and subscriptions made through the SNS API, for every account and region; reset leaves them. */
export class SnsTopics {
  /** By ARN, in creation order (ListTopics' order). */
  private readonly topics = new Map<string, SnsTopic>();
  private readonly byToken = new Map<string, SnsSubscription>();

  /** CreateTopic: a name already taken in the account and region gives back that topic. */
  create(region: string, accountId: string, name: string): { topic: SnsTopic; created: boolean } {
    const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
    const existing = this.topics.get(arn);
    if (existing) return { topic: existing, created: false };
    const topic: SnsTopic = { arn, name, accountId, region, attributes: new Map([['SignatureVersion', '1']]), subscriptions: [] };
    this.topics.set(arn, topic);
    return { topic, created: true };
  }

  /** A topic of this account and region only: other accounts' topics are invisible, as without a topic policy. */
  find(region: string, accountId: string, arn: string | undefined): SnsTopic | undefined {
    const topic = arn === undefined ? undefined : this.topics.get(arn);
    return topic && topic.region === region && topic.accountId === accountId ? topic : undefined;
  }

  list(region: string, accountId: string): SnsTopic[] {
    return [...this.topics.values()].filter((t) => t.region === region && t.accountId === accountId);
  }

  all(): SnsTopic[] {
    return [...this.topics.values()];
  }

  delete(topic: SnsTopic): void {
    for (const sub of topic.subscriptions) this.byToken.delete(sub.token);
    this.topics.delete(topic.arn);
  }

  /** The subscription of `endpoint` on the topic, made pending if there is none yet. */
  subscribe(topic: SnsTopic, protocol: SnsSubscription['protocol'], endpoint: string): SnsSubscription {
    const existing = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) return existing;
    const sub: SnsSubscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      owner: topic.accountId,
      protocol,
      endpoint,
      confirmed: false,
      token: randomBytes(64).toString('hex'),
    };
    topic.subscriptions.push(sub);
    this.byToken.set(sub.token, sub);
    return sub;
  }

  findSubscription(region: string, accountId: string, arn: string | undefined): { topic: SnsTopic; subscription: SnsSubscription } | undefined {
    const topicArn = arn?.slice(0, arn.lastIndexOf(':'));
    const topic = this.find(region, accountId, topicArn);
    const subscription = topic?.subscriptions.find((s) => s.arn === arn);
    return topic && subscription ? { topic, subscription } : undefined;
  }

  unsubscribe(topic: SnsTopic, subscription: SnsSubscription): void {
    topic.subscriptions = topic.subscriptions.filter((s) => s !== subscription);
    this.byToken.delete(subscription.token);
  }

  /** The endpoint visited its SubscribeURL: the subscription ARN, or null for a token this store never gave. */
  confirm(topicArn: string | null, token: string | null): string | null {
    const sub = this.byToken.get(token ?? '');
    if (!sub || sub.topicArn !== topicArn) return null;
    sub.confirmed = true;
    return sub.arn;
  }

  /** Whether SNS would still post to this subscription (it may have been removed, or its topic deleted). */
  isConfirmed(subscription: SnsSubscription): boolean {
    return subscription.confirmed && this.byToken.get(subscription.token) === subscription;
  }

  confirmedTopicArns(): string[] {
    return this.all()
      .filter((t) => t.subscriptions.some((s) => s.confirmed))
      .map((t) => t.arn);
  }
}
