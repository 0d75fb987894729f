import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { signedNotification, signedSubscriptionConfirmation, type SnsEnvelope } from '../src/dev/snsMessages.js';
import { campaignInput, readySender, seedContacts, type Sender } from './sendingHelpers.js';
import { useHarness } from './sesEventHelpers.js';
import { awsExample, postSns, topicArnOf } from './snsHelpers.js';

/**
 * `POST /webhooks/email` end to end: real HTTP, real Postgres, signatures
 * checked against a certificate served by a local stand-in for SNS.
 */
const h = useHarness();
let sender: Sender;
beforeAll(async () => {
  sender = await readySender(h.herald, h.sim);
});

const countRows = async () => {
  const [row] = await h.herald.deps.sql<{ events: number; topics: number }[]>`
    select (select count(*)::int from message_events) as events, (select count(*)::int from sns_topics) as topics`;
  return row as { events: number; topics: number };
};

const deliveryFor = (accountId: string, sesMessageId = `0100${randomUUID()}-000000`) =>
  signedNotification(h.sns.signer(), {
    topicArn: topicArnOf(accountId),
    message: awsExample('delivery', { sesMessageId, accountId, recipients: ['someone@inbox.test'] }),
  });

async function sentMessage(): Promise<{ id: string; providerId: string; to: string }> {
  await seedContacts(h.herald.deps.sql, sender, 1, `w${Date.now()}`);
  const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
  await sender.agent.trpc.campaigns.send.mutate({ id });
  return vi.waitFor(
    async () => {
      const [row] = await h.herald.deps.sql<{ id: string; providerId: string; to: string }[]>`
        select id, provider_message_id as "providerId", to_address as to from messages
        where campaign_id = ${id} and status = 'sent' order by created_at desc limit 1`;
      expect(row).toBeDefined();
      return row as { id: string; providerId: string; to: string };
    },
    { timeout: 20_000, interval: 100 },
  );
}

describe('subscription confirmation', () => {
  it("confirms a connected tenant's topic by visiting its SubscribeURL, and records when", async () => {
    const topicArn = topicArnOf(sender.accountId);
    const envelope = signedSubscriptionConfirmation(h.sns.signer('1'), {
      topicArn,
      token: 'abc123',
      subscribeUrl: `${h.sns.url}/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=abc123`,
    });
    const res = await postSns(h.herald.url, envelope);
    expect(res).toMatchObject({ status: 200, json: { ok: true, message: 'subscription confirmed' } });
    expect(h.sns.requests.filter((r) => r.startsWith('GET /sns/confirm'))).toHaveLength(1);
    const [topic] = await h.herald.deps.sql`select aws_account_id, confirmed_at, subscription_arn from sns_topics where topic_arn = ${topicArn}`;
    expect(topic?.aws_account_id).toBe(sender.accountId);
    expect(topic?.confirmed_at).not.toBeNull();
    expect(topic?.subscription_arn).toBe(`${topicArn}:4b5c8e0e-0000-4000-8000-000000000001`);
    // The settings page shows it.
    const health = await sender.agent.trpc.channels.email.health.query();
    expect(health.topics.find((t) => t.topicArn === topicArn)).toMatchObject({ confirmedAt: expect.any(String), unsubscribedAt: null });
  });

  it('records an UnsubscribeConfirmation without fetching anything', async () => {
    const topicArn = topicArnOf(sender.accountId, 'eu-west-1');
    const before = h.sns.requests.length;
    const envelope = signedSubscriptionConfirmation(h.sns.signer(), {
      type: 'UnsubscribeConfirmation',
      topicArn,
      token: 'def456',
      subscribeUrl: `${h.sns.url}/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=def456`,
    });
    expect((await postSns(h.herald.url, envelope)).status).toBe(200);
    expect(h.sns.requests.slice(before).filter((r) => r.includes('confirm'))).toEqual([]);
    const [topic] = await h.herald.deps.sql`select unsubscribed_at from sns_topics where topic_arn = ${topicArn}`;
    expect(topic?.unsubscribed_at).not.toBeNull();
  });
});

describe('accepting events', () => {
  it('stores a delivery, answers 200, and the message becomes delivered', async () => {
    const message = await sentMessage();
    const envelope = signedNotification(h.sns.signer(), {
      topicArn: topicArnOf(sender.accountId),
      message: awsExample('delivery', { sesMessageId: message.providerId, accountId: sender.accountId, recipients: [message.to] }),
    });
    expect(await postSns(h.herald.url, envelope)).toMatchObject({ status: 200, json: { ok: true, message: 'accepted' } });
    await vi.waitFor(
      async () => {
        const [row] = await h.herald.deps.sql`select status, delivered_at from messages where id = ${message.id}`;
        expect(row?.status).toBe('delivered');
        expect(new Date(row?.delivered_at as string).toISOString()).toBe('2016-10-19T23:21:04.133Z');
      },
      { timeout: 10_000, interval: 50 },
    );
    const [event] = await h.herald.deps.sql`select state, message_id, tenant_id, event_type from message_events where sns_message_id = ${envelope.MessageId}`;
    expect(event).toMatchObject({ state: 'applied', message_id: message.id, tenant_id: sender.tenantId, event_type: 'Delivery' });

    // SNS delivers at least once: the same MessageId again is acknowledged and ignored.
    expect(await postSns(h.herald.url, envelope)).toMatchObject({ status: 200, json: { message: 'already received' } });
    const [copies] = await h.herald.deps.sql`select count(*)::int as n from message_events where sns_message_id = ${envelope.MessageId}`;
    expect(copies?.n).toBe(1);
  });

  it('keeps an event for an unknown SES message id as an orphan, creating no message', async () => {
    const [before] = await h.herald.deps.sql`select count(*)::int as n from messages`;
    const envelope = deliveryFor(sender.accountId);
    expect((await postSns(h.herald.url, envelope)).status).toBe(200);
    await vi.waitFor(
      async () => {
        const [event] = await h.herald.deps.sql`select state, message_id from message_events where sns_message_id = ${envelope.MessageId}`;
        expect(event).toMatchObject({ state: 'orphan', message_id: null });
      },
      { timeout: 10_000, interval: 50 },
    );
    const [after] = await h.herald.deps.sql`select count(*)::int as n from messages`;
    expect(after?.n).toBe(before?.n);
  });
});

describe('stranded events', () => {
  it('an event whose processing job was lost is processed anyway, within seconds', async () => {
    // As graphile/worker#580 can leave it: stored and pending, with no job queued for its shard.
    const payload = awsExample('delivery', { sesMessageId: 'stranded-0001', accountId: sender.accountId, recipients: ['x@inbox.test'] });
    const [row] = await h.herald.deps.sql`
      insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, shard, payload, received_at)
      values (${randomUUID()}, ${topicArnOf(sender.accountId)}, ${sender.accountId}, 'Delivery', 'stranded-0001', now(), 3,
        ${JSON.stringify(payload)}::jsonb, now() - interval '5 seconds')
      returning id`;
    await vi.waitFor(
      async () => {
        const [event] = await h.herald.deps.sql`select state from message_events where id = ${row?.id as string}`;
        expect(event?.state).toBe('orphan');
      },
      { timeout: 15_000, interval: 100 },
    );
  });
});

describe('refusing what is not genuine, and writing nothing', () => {
  const base = () => deliveryFor(sender.accountId);
  const resign = (patch: Partial<SnsEnvelope>, signer = h.sns.signer()) => {
    const e = base();
    return signedNotification({ ...signer, certUrl: patch.SigningCertURL ?? signer.certUrl }, {
      topicArn: patch.TopicArn ?? e.TopicArn,
      message: patch.Message ?? e.Message,
      ...(patch.Timestamp ? { timestamp: new Date(patch.Timestamp) } : {}),
    });
  };
  const lookAlike = 'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
  const cases: [string, () => SnsEnvelope | string, number][] = [
    ['no signature', () => ({ ...base(), Signature: '' }), 400],
    ['a wrong signature', () => ({ ...base(), Message: base().Message.replace('Delivery', 'Bounce') }), 403],
    ['an unknown SignatureVersion', () => ({ ...base(), SignatureVersion: '3' }), 403],
    ['an http certificate URL', () => resign({ SigningCertURL: 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }), 403],
    ['a certificate on s3.amazonaws.com', () => resign({ SigningCertURL: 'https://s3.amazonaws.com/bucket/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }), 403],
    ['a look-alike host', () => resign({ SigningCertURL: lookAlike }), 403],
    ['userinfo in the certificate URL', () => resign({ SigningCertURL: 'https://sns.us-east-1.amazonaws.com@evil.test/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }), 403],
    ['a port on the certificate host', () => resign({ SigningCertURL: 'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }), 403],
    ['a certificate host in another region than the topic', () => resign({ SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }), 403],
    ['a redirecting certificate URL', () => resign({ SigningCertURL: `${h.sns.url}/sns/redirect.pem` }), 403],
    ['a certificate URL that serves no certificate', () => resign({ SigningCertURL: `${h.sns.url}/sns/not-a-cert.pem` }), 403],
    ['a non-.pem path on the SNS host', () => resign({ SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.txt' }), 403],
    ['a stale timestamp', () => resign({ Timestamp: new Date(Date.now() - 61 * 60_000).toISOString() }), 403],
    ["a correctly signed message from an unknown account's topic", () => deliveryFor('999988887777'), 403],
    ["an event whose sending account is not the topic's", () => resign({ Message: JSON.stringify(awsExample('delivery', { sesMessageId: 'x', accountId: '999988887777', recipients: ['a@b.test'] })) }), 403],
  ];

  it.each(cases)('%s → 4xx', async (_name, make, status) => {
    const before = await countRows();
    const fetched = h.sns.requests.length;
    const res = await postSns(h.herald.url, make());
    expect(res.status).toBe(status);
    expect(res.json.ok).toBe(false);
    expect(await countRows()).toEqual(before);
    // The only host ever asked is the allow-listed stand-in, and only for a certificate.
    expect(h.sns.requests.slice(fetched).every((r) => r.startsWith('GET /sns/') && !r.includes('confirm'))).toBe(true);
  });

  it('a SubscribeURL pointing anywhere but SNS → 403, nothing fetched or stored', async () => {
    const before = await countRows();
    const fetched = h.sns.requests.length;
    const envelope = signedSubscriptionConfirmation(h.sns.signer(), {
      topicArn: topicArnOf(sender.accountId),
      token: 'tok',
      subscribeUrl: 'https://sns.us-east-1.amazonaws.com.evil.test/?Action=ConfirmSubscription',
    });
    expect((await postSns(h.herald.url, envelope)).status).toBe(403);
    expect(await countRows()).toEqual(before);
    expect(h.sns.requests.slice(fetched).some((r) => r.includes('confirm'))).toBe(false);
  });

  it("a confirmation for an unknown account's topic → 403, not confirmed", async () => {
    const before = await countRows();
    const topicArn = topicArnOf('999988887777');
    const envelope = signedSubscriptionConfirmation(h.sns.signer(), {
      topicArn,
      token: 'tok',
      subscribeUrl: `${h.sns.url}/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=tok`,
    });
    expect((await postSns(h.herald.url, envelope)).status).toBe(403);
    expect(await countRows()).toEqual(before);
  });
});

describe('bad input', () => {
  const cases: [string, () => { body: string; headers?: Record<string, string> }, number][] = [
    ['malformed JSON', () => ({ body: '{"Type": "Notification",' }), 400],
    ['wrong types', () => ({ body: JSON.stringify({ ...deliveryFor(sender.accountId), MessageId: 42 }) }), 400],
    ['an unknown Type', () => ({ body: JSON.stringify({ ...deliveryFor(sender.accountId), Type: 'Surprise' }) }), 400],
    ['a __proto__ key', () => ({ body: JSON.stringify(deliveryFor(sender.accountId)).replace('{', '{"__proto__":{"polluted":true},') }), 400],
    ['an SES event of an unknown shape', () => ({ body: JSON.stringify(signedNotification(h.sns.signer(), { topicArn: topicArnOf(sender.accountId), message: { eventType: 'Teleport', mail: {} } })) }), 400],
    ['a Message that is not JSON', () => ({ body: JSON.stringify(signedNotification(h.sns.signer(), { topicArn: topicArnOf(sender.accountId), message: 'hello' })) }), 400],
    ['an oversized body', () => ({ body: JSON.stringify({ ...deliveryFor(sender.accountId), Message: 'x'.repeat(310 * 1024) }) }), 413],
    ['another content type', () => ({ body: JSON.stringify(deliveryFor(sender.accountId)), headers: { 'content-type': 'application/xml' } }), 415],
    ['a message type header that disagrees', () => ({ body: JSON.stringify(deliveryFor(sender.accountId)), headers: { 'x-amz-sns-message-type': 'SubscriptionConfirmation' } }), 400],
  ];
  it.each(cases)('%s → 4xx, nothing written', async (_name, make, status) => {
    const before = await countRows();
    const { body, headers } = make();
    const res = await postSns(h.herald.url, body, headers);
    expect(res.status).toBe(status);
    expect(await countRows()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts application/json as well as text/plain', async () => {
    const envelope = deliveryFor(sender.accountId);
    expect((await postSns(h.herald.url, JSON.stringify(envelope), { 'content-type': 'application/json' })).status).toBe(200);
  });

  it('never logs webhook bodies', () => {
    expect(h.herald.logs.join('\n')).not.toContain('smtpResponse');
  });
});
