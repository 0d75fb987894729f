import { SendEmailCommand, type SendEmailCommandInput, SESClient } from '@aws-sdk/client-ses';
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_SECRET_ACCESS_KEY, presetAccounts, type SimAccount } from './accounts.js';
import { type SesSimulator, type SimEventsOptions, startSesSimulator } from './sesSimulator.js';
import { CONFIRM_RETRY_MS, snsSubscriptions } from './snsSubscriptions.js';
import { startSnsTestReceiver, type SnsTestReceiver, type SnsTestReceiverOptions } from './snsTestReceiver.js';

const TOPIC = `arn:aws:sns:us-east-1:${DEMO_ACCOUNT_ID}:herald-ses-events`;
const SIM = 'simulator.amazonses.com';
/** Short delays and no opens unless a test asks: every event lands within a few milliseconds. */
const FAST: Partial<SimEventsOptions> = {
  deliveryDelayMs: [5, 15],
  openDelayMs: [5, 15],
  clickDelayMs: [5, 15],
  openProbability: 0,
  clickProbability: 0,
  retryDelayMs: 20,
};

let sim: SesSimulator | undefined;
let receiver: SnsTestReceiver | undefined;
const clients: SESClient[] = [];
afterEach(async () => {
  await sim?.stop();
  await receiver?.stop();
  for (const client of clients.splice(0)) client.destroy();
  sim = undefined;
  receiver = undefined;
});

async function setup(events: Partial<SimEventsOptions> = {}, receiverOptions: Partial<SnsTestReceiverOptions> = {}) {
  const r = await startSnsTestReceiver({ allow: () => (sim ? [sim.url] : []), ...receiverOptions });
  receiver = r;
  // The demo key without the demo account's default configuration set, so each test chooses the format.
  const plainDemo = { ...(presetAccounts().find((a) => a.accessKeyId === DEMO_ACCESS_KEY_ID) as SimAccount), defaultConfigurationSet: null };
  const s = await startSesSimulator({ accounts: [plainDemo], events: { ...FAST, webhookUrl: r.url, ...events } });
  sim = s;
  return { sim: s, receiver: r };
}

function send(input: Partial<SendEmailCommandInput> & { to: string[] }, region = 'us-east-1') {
  const client = new SESClient({
    endpoint: sim?.url,
    region,
    maxAttempts: 1,
    credentials: { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY },
  });
  clients.push(client);
  const { to, ...rest } = input;
  return client.send(
    new SendEmailCommand({
      Source: 'Demo <demo@herald.test>',
      Destination: { ToAddresses: to },
      Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } },
      ...rest,
    }),
  );
}

const kindOf = (e: Record<string, unknown>) => (e.eventType ?? e.notificationType) as string;
const mailOf = (e: Record<string, unknown>) => e.mail as { messageId: string; tags?: Record<string, string[]> };
const eventsOf = (r: SnsTestReceiver, messageId: string) => r.events().filter((e) => mailOf(e).messageId === messageId);

describe('SES events over SNS', () => {
  it('confirms each topic once, before its first event, then posts Send → Delivery in order, signed, with tags', async () => {
    const { sim, receiver } = await setup();
    const withSet = { ConfigurationSetName: 'herald', Tags: [{ Name: 'herald_message_id', Value: 'm-1' }] };
    const [a, b] = await Promise.all([send({ to: [`success@${SIM}`], ...withSet }), send({ to: [`success+2@${SIM}`], ...withSet })]);
    await send({ to: [`success@${SIM}`], ...withSet }, 'eu-west-1');
    await sim.events.idle();

    const confirmations = receiver.posts.filter((p) => p.envelope.Type === 'SubscriptionConfirmation');
    expect(confirmations.map((p) => p.envelope.TopicArn).sort()).toEqual([`arn:aws:sns:eu-west-1:${DEMO_ACCOUNT_ID}:herald-ses-events`, TOPIC]);
    expect(receiver.posts[0]?.envelope.Type).toBe('SubscriptionConfirmation');
    expect(receiver.confirmations.map((c) => c.status)).toEqual([200, 200]);
    expect(receiver.posts.every((p) => p.signatureValid)).toBe(true);

    for (const out of [a, b]) expect(eventsOf(receiver, out.MessageId ?? '').map(kindOf)).toEqual(['Send', 'Delivery']);
    const delivery = eventsOf(receiver, a.MessageId ?? '')[1] as Record<string, unknown>;
    expect(delivery).toMatchObject({
      eventType: 'Delivery',
      mail: {
        source: 'demo@herald.test',
        sourceArn: `arn:aws:ses:us-east-1:${DEMO_ACCOUNT_ID}:identity/demo@herald.test`,
        sendingAccountId: DEMO_ACCOUNT_ID,
        destination: [`success@${SIM}`],
        headersTruncated: false,
        commonHeaders: { from: ['Demo <demo@herald.test>'], to: [`success@${SIM}`], subject: 'Hello' },
        tags: {
          herald_message_id: ['m-1'],
          'ses:configuration-set': ['herald'],
          'ses:source-ip': ['127.0.0.1'],
          'ses:from-domain': ['herald.test'],
          'ses:caller-identity': ['herald-demo'],
        },
      },
      delivery: { recipients: [`success@${SIM}`], smtpResponse: '250 2.6.0 Message received' },
    });

    const notification = receiver.posts.find((p) => p.envelope.Type === 'Notification' && p.envelope.TopicArn === TOPIC);
    const subscriptionArn = receiver.confirmations.find((c) => c.subscriptionArn?.startsWith(`${TOPIC}:`))?.subscriptionArn;
    expect(notification?.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': notification?.envelope.MessageId,
      'x-amz-sns-topic-arn': TOPIC,
      'x-amz-sns-subscription-arn': subscriptionArn,
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    expect(notification?.envelope.SignatureVersion).toBe('2');
    expect(sim.events.stats()).toMatchObject({ posted: 6, failed: 0, dropped: 0 });
    expect(sim.events.stats().confirmedTopics).toHaveLength(2);
  });

  it('sends identity notifications (notificationType, no tags, no Send/Open/Click) without a configuration set', async () => {
    const { sim, receiver } = await setup({ openProbability: 1, clickProbability: 1, signatureVersion: '1' });
    const out = await send({ to: ['reader@example.com'] });
    await sim.events.idle();
    const events = eventsOf(receiver, out.MessageId ?? '');
    expect(events.map(kindOf)).toEqual(['Delivery']);
    expect(events[0]).not.toHaveProperty('eventType');
    expect(events[0]).toMatchObject({ notificationType: 'Delivery', mail: { sourceIp: '127.0.0.1', callerIdentity: 'herald-demo' } });
    expect(mailOf(events[0] as Record<string, unknown>).tags).toBeUndefined();
    expect(receiver.posts.every((p) => p.signatureValid && p.envelope.SignatureVersion === '1')).toBe(true);
  });

  it.each([
    [null, ['Delivery', 'Bounce', 'Bounce', 'Complaint']],
    ['herald', ['Send', 'Delivery', 'Bounce', 'Bounce', 'Complaint']],
  ])('gives each mailbox-simulator address its outcome (configuration set %s)', async (configurationSet, kinds) => {
    const { sim, receiver } = await setup({ openProbability: 1, clickProbability: 1 });
    const to = ['success', 'bounce+x', 'ooto', 'complaint', 'suppressionlist'].map((l) => `${l}@${SIM}`);
    const out = await send({ to, ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}) });
    await sim.events.idle();
    const events = eventsOf(receiver, out.MessageId ?? '');
    expect(events.map(kindOf)).toEqual(kinds);
    const delivery = events.find((e) => kindOf(e) === 'Delivery');
    expect(delivery?.delivery).toMatchObject({ recipients: [`success@${SIM}`, `ooto@${SIM}`, `complaint@${SIM}`] });
    const bounces = events.filter((e) => kindOf(e) === 'Bounce').map((e) => e.bounce);
    expect(bounces).toEqual([
      expect.objectContaining({
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [expect.objectContaining({ emailAddress: `bounce+x@${SIM}`, action: 'failed', status: '5.1.1' })],
      }),
      expect.objectContaining({
        bounceType: 'Permanent',
        bounceSubType: 'OnAccountSuppressionList',
        bouncedRecipients: [expect.objectContaining({ emailAddress: `suppressionlist@${SIM}` })],
      }),
    ]);
    expect(events.find((e) => kindOf(e) === 'Complaint')?.complaint).toMatchObject({
      complainedRecipients: [{ emailAddress: `complaint@${SIM}` }],
      complaintFeedbackType: 'abuse',
    });
  });

  it.each([
    [0, 0, []],
    [1, 1, ['Open', 'Click', 'Open', 'Click']],
  ])('opens with probability %d and clicks with %d', async (openProbability, clickProbability, engagement) => {
    const { sim, receiver } = await setup({ openProbability, clickProbability });
    const html = '<p><a ses:tags="campaign:spring;" href="https://herald.test/x?a=1&amp;b=2">x</a> <a href="https://other.test/">y</a></p>';
    const out = await send({
      to: ['ann@example.com', 'bob@example.com'],
      ConfigurationSetName: 'herald',
      Message: { Subject: { Data: 'Hi' }, Body: { Html: { Data: html } } },
    });
    await sim.events.idle();
    const events = eventsOf(receiver, out.MessageId ?? '');
    expect(events.map(kindOf).filter((k) => k === 'Open' || k === 'Click').sort()).toEqual([...engagement].sort());
    expect(events.slice(0, 2).map(kindOf)).toEqual(['Send', 'Delivery']);
    for (const click of events.filter((e) => kindOf(e) === 'Click')) {
      expect(click.click).toMatchObject({ link: 'https://herald.test/x?a=1&b=2', linkTags: { campaign: ['spring'] }, ipAddress: '192.0.2.1' });
    }
  });

  it('posts duplicates as the very same envelope (same SNS MessageId)', async () => {
    const { sim, receiver } = await setup({ duplicateProbability: 1 });
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await sim.events.idle();
    const notifications = receiver.posts.filter((p) => p.envelope.Type === 'Notification');
    expect(notifications).toHaveLength(4);
    const byId = new Map<unknown, typeof notifications>();
    for (const p of notifications) byId.set(p.headers['x-amz-sns-message-id'], [...(byId.get(p.headers['x-amz-sns-message-id']) ?? []), p]);
    expect([...byId.values()].map((group) => group.length)).toEqual([2, 2]);
    for (const [first, second] of byId.values()) expect(second?.envelope).toEqual(first?.envelope);
    expect(sim.events.stats().posted).toBe(4);
  });

  it('retries a 5xx like SNS (same envelope) and gives up after `retries`', async () => {
    const { sim, receiver } = await setup({ retries: 2 }, { answer: (envelope, attempt) => (envelope.Type === 'Notification' && attempt < 3 ? 500 : 200) });
    await send({ to: [`success@${SIM}`] });
    await sim.events.idle();
    expect(receiver.posts.filter((p) => p.envelope.Type === 'Notification').map((p) => p.status)).toEqual([500, 500, 200]);
    expect(sim.events.stats()).toMatchObject({ posted: 1, failed: 0 });

    sim.events.configure({ retries: 1 });
    await send({ to: [`success@${SIM}`] }); // the receiver answers 500 to this one twice: more than one retry allows
    await sim.events.idle();
    expect(sim.events.stats()).toMatchObject({ posted: 1, failed: 1 });
  });

  it('drops the events of a topic whose confirmation was refused, asks no second time within 5 s, and answers a wrong token 403', async () => {
    const { sim, receiver } = await setup(
      { deliveryDelayMs: [0, 0] },
      { confirm: false, answer: (envelope) => (envelope.Type === 'SubscriptionConfirmation' ? 403 : 200) },
    );
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await sim.events.idle();
    expect(receiver.posts.map((p) => p.envelope.Type)).toEqual(['SubscriptionConfirmation']);
    expect(sim.events.stats()).toEqual({ posted: 0, failed: 0, dropped: 4, confirmedTopics: [] });

    const subscribeUrl = new URL(receiver.posts[0]?.envelope.SubscribeURL ?? '');
    subscribeUrl.searchParams.set('Token', 'f'.repeat(128));
    const wrong = await fetch(subscribeUrl);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('<Code>AuthorizationError</Code>');
  });

  it('posts in random order when asked to (reorder)', async () => {
    const { sim, receiver } = await setup({ deliveryDelayMs: [40, 40] });
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' }); // confirms the topic and makes the key first
    await sim.events.idle();
    // Plan: delivery delay, then a time for each event: Send late, Delivery at once.
    const draws = [0.5, 0.9, 0];
    sim.events.configure({ reorder: true, random: () => draws.shift() ?? 0 });
    const out = await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await sim.events.idle();
    expect(eventsOf(receiver, out.MessageId ?? '').map(kindOf)).toEqual(['Delivery', 'Send']);
  });

  it('posts nothing without a webhook URL (the default), and still calls onMessageAccepted', async () => {
    const r = await startSnsTestReceiver({ allow: () => [] });
    receiver = r;
    const accepted: string[] = [];
    sim = await startSesSimulator({ onMessageAccepted: (m) => void accepted.push(m.messageId) });
    const out = await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await sim.events.idle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(accepted).toEqual([out.MessageId]);
    expect(r.posts).toEqual([]);
    expect(sim.events.stats()).toEqual({ posted: 0, failed: 0, dropped: 0, confirmedTopics: [] });
    expect(sim.events.options()).toMatchObject({ webhookUrl: null, deliveryDelayMs: [200, 1500], signatureVersion: '2', retries: 3 });
  });

  it('posts to a list of webhook URLs in turn, as a load balancer would, under one confirmed subscription', async () => {
    const { sim, receiver: first } = await setup();
    const second = await startSnsTestReceiver({ allow: () => [sim.url] });
    try {
      sim.events.configure({ webhookUrl: [first.url, second.url] });
      for (let i = 0; i < 4; i++) await send({ to: [`success+${i}@${SIM}`], ConfigurationSetName: 'herald' });
      await sim.events.idle();

      // One confirmation (to whichever URL was next), then Send and Delivery of 4 messages: 9 posts, alternating.
      const all = [...first.posts, ...second.posts];
      expect(all.filter((p) => p.envelope.Type === 'SubscriptionConfirmation')).toHaveLength(1);
      expect(first.posts.length + second.posts.length).toBe(9);
      expect(Math.abs(first.posts.length - second.posts.length)).toBe(1);
      expect(all.every((p) => p.signatureValid && p.status === 200)).toBe(true);
      expect(sim.events.stats()).toMatchObject({ posted: 8, failed: 0, dropped: 0, confirmedTopics: [TOPIC] });
      expect(sim.events.options().webhookUrl).toEqual([first.url, second.url]);
    } finally {
      await second.stop();
    }
  });

  it('GET/POST /_simulator/events show and change the options, with 400 for bad ones', async () => {
    const { sim } = await setup();
    const get = (await (await fetch(`${sim.url}/_simulator/events`)).json()) as { options: Record<string, unknown>; stats: unknown };
    expect(get.options).toMatchObject({ webhookUrl: receiver?.url, maxInFlight: 64, duplicateProbability: 0 });
    expect(get.options).not.toHaveProperty('random');
    expect(get.stats).toEqual({ posted: 0, failed: 0, dropped: 0, confirmedTopics: [] });

    const post = (body: unknown) =>
      fetch(`${sim.url}/_simulator/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const changed = await post({ webhookUrl: null, openProbability: 0.25, deliveryDelayMs: [1, 2] });
    expect(changed.status).toBe(200);
    expect(sim.events.options()).toMatchObject({ webhookUrl: null, openProbability: 0.25, deliveryDelayMs: [1, 2] });

    for (const bad of [{ openProbability: 2 }, { deliveryDelayMs: [5, 1] }, { webhookUrl: 'ftp://x' }, { webhookUrl: [] }, { webhookUrl: ['http://a/b c'] }, { nope: true }]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^invalid events options: /);
    }
    expect(() => sim.events.configure({ retries: -1 })).toThrow();
    expect(sim.events.options().openProbability).toBe(0.25);
  });

  it('stop() cancels scheduled events and in-flight posts, leaving no timers or sockets behind', async () => {
    // An endpoint that never answers notifications: their POSTs stay in flight until stop.
    const hung = new Set<() => void>();
    const hang = () => new Promise<number>((resolve) => hung.add(() => resolve(200)));
    const { sim: s } = await setup({ deliveryDelayMs: [60_000, 60_000] }, { answer: (e) => (e.Type === 'Notification' ? hang() : 200) });
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await send({ to: [`success@${SIM}`], ConfigurationSetName: 'herald' });
    await until(() => (receiver?.posts.filter((p) => p.envelope.Type === 'Notification').length ?? 0) === 2); // both Sends in flight
    const started = Date.now();
    await s.stop();
    sim = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    await s.events.idle(); // already settled
    // Sockets close a tick after their handles are told to: wait briefly for that, never for a timer to fire.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await until(() => !process.getActiveResourcesInfo().includes('TCPSocketWrap') && timers() <= baseline, 2_000);
    for (const release of hung) release();
  });

  it('state.reset() (POST /_simulator/reset) cancels what was scheduled; the hook still sees every message', async () => {
    const seen: string[] = [];
    const r = await startSnsTestReceiver({ allow: () => (sim ? [sim.url] : []) });
    receiver = r;
    const s = await startSesSimulator({
      events: { ...FAST, webhookUrl: r.url, deliveryDelayMs: [60_000, 60_000] },
      onMessageAccepted: (m) => void seen.push(m.messageId),
    });
    sim = s;
    const out = await send({ to: [`success@${SIM}`] });
    const idle = s.events.idle();
    expect((await fetch(`${s.url}/_simulator/reset`, { method: 'POST' })).status).toBe(200);
    await idle;
    await until(() => seen.length === 1);
    expect(seen).toEqual([out.MessageId]);
    expect(r.posts).toEqual([]);
    expect(s.events.stats()).toMatchObject({ posted: 0, dropped: 0 });
  });

  it("applies the demo account's default configuration set, so a send naming none gets the full event stream", async () => {
    const r = await startSnsTestReceiver({ allow: () => (sim ? [sim.url] : []) });
    receiver = r;
    sim = await startSesSimulator({ events: { ...FAST, webhookUrl: r.url, openProbability: 1, clickProbability: 1 } });
    const out = await send({ to: ['reader@herald.test'], Message: { Subject: { Data: 'Hi' }, Body: { Html: { Data: '<a href="https://herald.test/x">x</a>' } } } });
    await sim.events.idle();
    const events = eventsOf(r, out.MessageId ?? '');
    expect(events.map(kindOf)).toEqual(['Send', 'Delivery', 'Open', 'Click']);
    expect(mailOf(events[0] as Record<string, unknown>).tags?.['ses:configuration-set']).toEqual(['herald-demo-events']);
  });

  it('serves its certificate as a PEM under the SNS file name', async () => {
    const { sim, receiver } = await setup();
    await send({ to: [`success@${SIM}`] });
    await sim.events.idle();
    const certUrl = receiver.posts[0]?.envelope.SigningCertURL ?? '';
    expect(certUrl).toMatch(new RegExp(`^${sim.url}/_simulator/sns/SimpleNotificationService-[0-9a-f]{32}\\.pem$`));
    const res = await fetch(certUrl);
    expect(res.headers.get('content-type')).toBe('application/x-pem-file');
    expect(await res.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});

describe('snsSubscriptions', () => {
  const logger = pino({ level: 'silent' });
  it('shares one confirmation among concurrent events and asks again after a refusal only once 5 s passed', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const subs = snsSubscriptions({
      confirmBaseUrl: () => 'http://sim.test/_simulator/sns/confirm',
      logger,
      now: () => now,
      send: async ({ subscribeUrl }) => {
        asked.push(subscribeUrl);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    const signal = new AbortController().signal;
    expect(await Promise.all([subs.confirmed(TOPIC, 'http://h/', signal), subs.confirmed(TOPIC, 'http://h/', signal)])).toEqual([null, null]);
    expect(asked).toHaveLength(1);
    now += CONFIRM_RETRY_MS - 1;
    expect(await subs.confirmed(TOPIC, 'http://h/', signal)).toBeNull();
    expect(asked).toHaveLength(1);
    now += 1;
    const retry = subs.confirmed(TOPIC, 'http://h/', signal);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatch(new RegExp(`^http://sim\\.test/_simulator/sns/confirm\\?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=[0-9a-f]{128}$`));

    // The endpoint visits the SubscribeURL while the POST is still open, as Herald does.
    const res = { status: 0, body: '', writeHead(status: number) { this.status = status; return this; }, end(body: string) { this.body = body; } };
    subs.answerConfirm(new URL(asked[1] ?? ''), res as unknown as ServerResponse);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /^<ConfirmSubscriptionResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:111122223333:herald-ses-events:[0-9a-f-]{36}<\/SubscriptionArn><\/ConfirmSubscriptionResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/ConfirmSubscriptionResponse>/,
    );
    const arn = await retry;
    expect(arn).toMatch(new RegExp(`^${TOPIC}:`));
    expect(await subs.confirmed(TOPIC, 'http://h/', signal)).toBe(arn);
    expect(subs.confirmedTopics()).toEqual([TOPIC]);
    // A new endpoint is a new subscription, confirmed on its own.
    void subs.confirmed(TOPIC, 'http://other/', signal);
    expect(asked).toHaveLength(3);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
