import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import {
  at, contactStatus, deliver, messageState, notification, useHarness, sentCampaign, statsOf, suppressionsOf, waitProcessed,
  type SentMessage,
} from './sesEventHelpers.js';
import { EVENT_SHARDS, shardOf } from '../src/events/shards.js';
import { awsExample, type ExampleName } from './snsHelpers.js';

/**
 * SES events through the real `POST /webhooks/email` and the real worker:
 * signed SNS notifications in, message, contact, suppression and counter
 * state out.
 */
const h = useHarness();
let sender: Sender;
/** Messages of one campaign, handed out to tests (each uses its own). */
let pool: SentMessage[];
const take = (n: number) => pool.splice(0, n);
beforeAll(async () => {
  sender = await readySender(h.herald, h.sim, simAccount(), 'Alpha');
  pool = (await sentCampaign(h, sender, 20, 'pool')).messages;
});

const example = (name: ExampleName, m: SentMessage) => awsExample(name, { sesMessageId: m.providerId, accountId: sender.accountId, recipients: [m.to] });
const eventRow = async (snsMessageId: string) => {
  const [row] = await h.herald.deps.sql`select state, message_id, tenant_id, event_type from message_events where sns_message_id = ${snsMessageId}`;
  return row;
};

const EVENT_PUBLISHING_MAIL = '2016-10-19T23:20:52.240Z';
const IDENTITY_MAIL = '2016-01-27T14:59:38.237Z';
type Expectation = { status: string; milestone: string; at: string; suppress?: 'bounce' | 'complaint'; contact?: string; extra?: Record<string, unknown> };
const EXPECTED: Record<ExampleName, Expectation> = {
  send: { status: 'sent', milestone: 'sent_at', at: EVENT_PUBLISHING_MAIL },
  delivery: { status: 'delivered', milestone: 'delivered_at', at: '2016-10-19T23:21:04.133Z' },
  bounce: { status: 'bounced', milestone: 'bounced_at', at: '2017-08-05T00:41:02.669Z', suppress: 'bounce', contact: 'bounced', extra: { bounce_type: 'Permanent' } },
  complaint: { status: 'complained', milestone: 'complained_at', at: '2017-08-05T00:41:02.669Z', suppress: 'complaint', contact: 'complained' },
  reject: { status: 'rejected', milestone: 'rejected_at', at: EVENT_PUBLISHING_MAIL },
  open: { status: 'opened', milestone: 'opened_at', at: '2017-08-09T22:00:19.652Z', extra: { open_count: 1, delivered_at: '2017-08-09T22:00:19.652Z' } },
  click: { status: 'clicked', milestone: 'clicked_at', at: '2017-08-09T23:51:25.570Z', extra: { click_count: 1, delivered_at: '2017-08-09T23:51:25.570Z' } },
  'rendering-failure': { status: 'rejected', milestone: 'rejected_at', at: EVENT_PUBLISHING_MAIL },
  'delivery-delay': { status: 'sent', milestone: 'sent_at', at: EVENT_PUBLISHING_MAIL },
  subscription: { status: 'sent', milestone: 'sent_at', at: EVENT_PUBLISHING_MAIL, contact: 'unsubscribed' },
  'identity-bounce': { status: 'bounced', milestone: 'bounced_at', at: IDENTITY_MAIL, suppress: 'bounce', contact: 'bounced', extra: { bounce_type: 'Permanent' } },
  'identity-complaint': { status: 'complained', milestone: 'complained_at', at: IDENTITY_MAIL, suppress: 'complaint', contact: 'complained' },
  'identity-delivery': { status: 'delivered', milestone: 'delivered_at', at: IDENTITY_MAIL },
};

const BLANK = { delivered_at: null, opened_at: null, clicked_at: null, bounced_at: null, complained_at: null, rejected_at: null, bounce_type: null, open_count: 0, click_count: 0 };

describe('each AWS example event', () => {
  it('moves its own message to the expected status at the example’s time, with suppressions and contact changes', async () => {
    const names = Object.keys(EXPECTED) as ExampleName[];
    const targets = new Map(names.map((name) => [name, take(1)[0] as SentMessage]));
    const envelopes = new Map(names.map((name) => [name, notification(h, sender.accountId, example(name, targets.get(name) as SentMessage))]));
    await deliver(h, [...envelopes.values()]);

    for (const name of names) {
      const m = targets.get(name) as SentMessage;
      const want = EXPECTED[name];
      // Every event also proves SES accepted the message when its mail says; all other milestones stay empty.
      const sentAt = name.startsWith('identity-') ? IDENTITY_MAIL : EVENT_PUBLISHING_MAIL;
      expect({ name, ...(await messageState(h, m.id)) }).toEqual({
        name, ...BLANK, provider_message_id: m.providerId, sent_at: sentAt, status: want.status, [want.milestone]: want.at, ...want.extra,
      });
      expect(await eventRow((envelopes.get(name) as { MessageId: string }).MessageId), name).toMatchObject({ state: 'applied', message_id: m.id, tenant_id: sender.tenantId });
      expect(await suppressionsOf(h, sender.tenantId, [m.to]), name).toEqual(want.suppress ? [{ email: m.to, reason: want.suppress, source: `ses:${m.providerId}` }] : []);
      expect(await contactStatus(h, m.contactId), name).toBe(want.contact ?? 'subscribed');
    }
  });
});

describe('bounces and delays', () => {
  it('records a transient bounce without suppressing; a later permanent bounce suppresses', async () => {
    const [m] = take(1) as [SentMessage];
    const transient = example('bounce', m);
    Object.assign(transient.bounce as object, { bounceType: 'Transient', bounceSubType: 'MailboxFull', timestamp: '2017-08-05T00:41:02.669Z' });
    await deliver(h, [notification(h, sender.accountId, transient)]);
    expect(await messageState(h, m.id)).toMatchObject({ status: 'bounced', bounce_type: 'Transient', bounced_at: '2017-08-05T00:41:02.669Z' });
    expect(await suppressionsOf(h, sender.tenantId, [m.to])).toEqual([]);
    expect(await contactStatus(h, m.contactId)).toBe('subscribed');

    await deliver(h, [notification(h, sender.accountId, at(example('bounce', m), 'bounce', '2017-08-06T09:00:00.000Z'))]);
    expect(await messageState(h, m.id)).toMatchObject({ status: 'bounced', bounce_type: 'Permanent', bounced_at: '2017-08-05T00:41:02.669Z' });
    expect(await suppressionsOf(h, sender.tenantId, [m.to])).toEqual([{ email: m.to, reason: 'bounce', source: `ses:${m.providerId}` }]);
    expect(await contactStatus(h, m.contactId)).toBe('bounced');
  });

  it('records a delivery delay, linked to its message, suppressing nothing', async () => {
    const [m] = take(1) as [SentMessage];
    const envelope = notification(h, sender.accountId, example('delivery-delay', m));
    await deliver(h, [envelope]);
    expect(await eventRow(envelope.MessageId)).toMatchObject({ state: 'applied', message_id: m.id, tenant_id: sender.tenantId, event_type: 'DeliveryDelay' });
    expect(await messageState(h, m.id)).toMatchObject({ status: 'sent', bounced_at: null, bounce_type: null });
    expect(await suppressionsOf(h, sender.tenantId, [m.to])).toEqual([]);
    expect(await contactStatus(h, m.contactId)).toBe('subscribed');
  });
});

describe('one SES message to several recipients', () => {
  it('a notification naming some recipients affects exactly those', async () => {
    const three = take(3);
    const [a, b, c] = three as [SentMessage, SentMessage, SentMessage];
    const shared = a.providerId;
    await h.herald.deps.sql`update messages set provider_message_id = ${shared} where id = any(${three.map((m) => m.id)})`;
    const about = (name: ExampleName, m: SentMessage) => {
      const event = awsExample(name, { sesMessageId: shared, accountId: sender.accountId, recipients: [m.to] });
      (event.mail as { destination: string[] }).destination = three.map((x) => x.to);
      return event;
    };

    await deliver(h, [notification(h, sender.accountId, about('identity-bounce', b))]);
    const untouched = { status: 'sent', delivered_at: null, bounced_at: null, complained_at: null, bounce_type: null };
    expect(await messageState(h, a.id)).toMatchObject(untouched);
    expect(await messageState(h, b.id)).toMatchObject({ status: 'bounced', bounced_at: '2016-01-27T14:59:38.237Z', bounce_type: 'Permanent' });
    expect(await messageState(h, c.id)).toMatchObject(untouched);
    expect(await suppressionsOf(h, sender.tenantId, three.map((m) => m.to))).toEqual([{ email: b.to, reason: 'bounce', source: `ses:${shared}` }]);
    expect(await Promise.all(three.map((m) => contactStatus(h, m.contactId)))).toEqual(['subscribed', 'bounced', 'subscribed']);

    await deliver(h, [notification(h, sender.accountId, about('identity-complaint', c))]);
    expect(await Promise.all(three.map(async (m) => (await messageState(h, m.id)).status))).toEqual(['sent', 'bounced', 'complained']);
    expect(await suppressionsOf(h, sender.tenantId, three.map((m) => m.to))).toEqual([
      { email: b.to, reason: 'bounce', source: `ses:${shared}` },
      { email: c.to, reason: 'complaint', source: `ses:${shared}` },
    ]);
    expect(await Promise.all(three.map((m) => contactStatus(h, m.contactId)))).toEqual(['subscribed', 'bounced', 'complained']);
  });
});

const freshSesId = () => `0100${randomUUID().replaceAll('-', '')}-${randomUUID()}-000000`;
const markUnknown = (ids: string[]) =>
  h.herald.deps.sql`update messages set status = 'unknown', provider_message_id = null, sent_at = null where id = any(${ids})`;

describe('tenant isolation', () => {
  it("an event on one tenant's topic never touches another tenant's message, by SES id or by Herald's tag", async () => {
    const beta = await readySender(h.herald, h.sim, simAccount(), 'Beta');
    const [sent, lost] = (await sentCampaign(h, beta, 2, 'beta')).messages as [SentMessage, SentMessage];
    // `lost` has no SES id (as recovery leaves a lost send): only the tenant check stands between it and a tag.
    await markUnknown([lost.id]);
    const snapshot = () => Promise.all([
      ...[sent, lost].map((m) => messageState(h, m.id)),
      ...[sent, lost].map((m) => contactStatus(h, m.contactId)),
      h.herald.deps.sql`select email, reason from suppressions where tenant_id = ${beta.tenantId}`,
    ]);
    const before = await snapshot();
    const lostSesId = freshSesId();
    const complaintOn = (s: Sender) => awsExample('complaint', { sesMessageId: sent.providerId, accountId: s.accountId, recipients: [sent.to] });
    const taggedBounceOn = (s: Sender) => awsExample('bounce', { sesMessageId: lostSesId, accountId: s.accountId, recipients: [lost.to], heraldMessageId: lost.id });

    const foreign = [notification(h, sender.accountId, complaintOn(sender)), notification(h, sender.accountId, taggedBounceOn(sender))];
    await deliver(h, foreign);
    for (const e of foreign) expect(await eventRow(e.MessageId)).toMatchObject({ state: 'orphan', message_id: null, tenant_id: null });
    expect(await snapshot()).toEqual(before);
    expect(before.at(-1)).toEqual([]);
    expect(before.slice(2, 4)).toEqual(['subscribed', 'subscribed']);

    // Positive control: the same events on Beta's own topic apply.
    const own = [notification(h, beta.accountId, complaintOn(beta)), notification(h, beta.accountId, taggedBounceOn(beta))];
    await deliver(h, own);
    expect(await eventRow(own[0]?.MessageId as string)).toMatchObject({ state: 'applied', message_id: sent.id, tenant_id: beta.tenantId });
    expect(await eventRow(own[1]?.MessageId as string)).toMatchObject({ state: 'applied', message_id: lost.id, tenant_id: beta.tenantId });
    expect(await messageState(h, sent.id)).toMatchObject({ status: 'complained' });
    expect(await messageState(h, lost.id)).toMatchObject({ status: 'bounced', provider_message_id: lostSesId });
    expect(await suppressionsOf(h, beta.tenantId, [sent.to, lost.to])).toHaveLength(2);
  });
});

describe('a send whose outcome was lost', () => {
  it("is resolved by a Send event carrying Herald's message tag; an untagged event for an unknown SES id stays an orphan", async () => {
    const [lost, other] = take(2) as [SentMessage, SentMessage];
    await markUnknown([lost.id, other.id]);
    const sesId = freshSesId();
    const send = notification(h, sender.accountId, awsExample('send', { sesMessageId: sesId, accountId: sender.accountId, recipients: [lost.to], heraldMessageId: lost.id }));
    const untagged = notification(h, sender.accountId, awsExample('identity-delivery', { sesMessageId: freshSesId(), accountId: sender.accountId, recipients: [other.to] }));
    await deliver(h, [send, untagged]);

    expect(await messageState(h, lost.id)).toMatchObject({ status: 'sent', provider_message_id: sesId, sent_at: EVENT_PUBLISHING_MAIL });
    expect(await eventRow(send.MessageId)).toMatchObject({ state: 'applied', message_id: lost.id, tenant_id: sender.tenantId });
    expect(await eventRow(untagged.MessageId)).toMatchObject({ state: 'orphan', message_id: null, tenant_id: null });
    expect(await messageState(h, other.id)).toMatchObject({ status: 'unknown', provider_message_id: null, sent_at: null, delivered_at: null });
  });
});

describe('campaign counters', () => {
  it('keeps campaign_stats equal to the messages after a mix of events, and notifies campaign_metrics', async () => {
    const { campaignId, messages } = await sentCampaign(h, sender, 6, 'stats');
    const [d, o, c, b, x, u] = messages as [SentMessage, SentMessage, SentMessage, SentMessage, SentMessage, SentMessage];
    await markUnknown([u.id]);
    const heard: string[] = [];
    const { unlisten } = await h.herald.deps.sql.listen('campaign_metrics', (payload) => heard.push(payload));
    try {
      const on = (name: ExampleName, m: SentMessage) => notification(h, sender.accountId, example(name, m));
      await deliver(h, [
        on('delivery', d),
        on('delivery', o), on('open', o),
        on('delivery', c), on('open', c), on('click', c),
        on('bounce', b),
        on('delivery', x), on('open', x), on('complaint', x),
        notification(h, sender.accountId, awsExample('send', { sesMessageId: freshSesId(), accountId: sender.accountId, recipients: [u.to], heraldMessageId: u.id })),
      ]);
      const stats = await statsOf(h, campaignId);
      const counted = await h.herald.deps.sql<{ status: string; n: number }[]>`
        select status::text, count(*)::int as n from messages where campaign_id = ${campaignId} group by status order by status::text`;
      expect(stats).toEqual(counted);
      expect(counted.map((r) => [r.status, r.n])).toEqual([['bounced', 1], ['clicked', 1], ['complained', 1], ['delivered', 1], ['opened', 1], ['sent', 1]]);
      await vi.waitFor(() => expect(heard).toContain(`${sender.tenantId}:${campaignId}`), { timeout: 10_000, interval: 50 });
    } finally {
      await unlisten();
    }
  });
});

describe('an event stored without the webhook', () => {
  /** A Delivery of `m` stored as the webhook stores it, under `shard`, 5 s ago, by a statement of its own. */
  const storedDirectly = async (m: SentMessage, shard: number) => {
    const envelope = notification(h, sender.accountId, example('delivery', m));
    await h.herald.deps.sql`
      insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, shard, payload, received_at)
      values (${envelope.MessageId}, ${envelope.TopicArn}, ${sender.accountId}, 'Delivery', ${m.providerId}, now(), ${shard},
        ${envelope.Message}::jsonb, now() - interval '5 seconds')`;
    return envelope;
  };
  it("is processed by its shard's drain, which takes whatever is pending however it came", async () => {
    const [m] = (await sentCampaign(h, sender, 1, 'lost')).messages as [SentMessage];
    const envelope = await storedDirectly(m, shardOf(m.providerId));
    await waitProcessed(h, [envelope.MessageId]);
    expect((await eventRow(envelope.MessageId))?.state).toBe('applied');
    expect((await messageState(h, m.id)).status).toBe('delivered');
  });
  it('is processed when stored under a shard number of an earlier, larger shard count', async () => {
    const [m] = (await sentCampaign(h, sender, 1, 'old-shard')).messages as [SentMessage];
    // A deploy that lowers EVENT_SHARDS leaves pending events under the old numbers, which no worker drains: the sweep queues their job.
    const envelope = await storedDirectly(m, EVENT_SHARDS + 1);
    await waitProcessed(h, [envelope.MessageId]);
    expect((await eventRow(envelope.MessageId))?.state).toBe('applied');
    expect((await messageState(h, m.id)).status).toBe('delivered');
  });
});
