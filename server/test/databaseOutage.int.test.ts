import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, inject, it, vi } from 'vitest';
import { signedNotification, type SnsEnvelope } from '../src/dev/snsMessages.js';
import { startSesSimulator, type SesSimulator } from '../src/dev/sesSimulator.js';
import { startTestHerald, type TestHerald } from '../src/testing/index.js';
import { agent, rawCall } from './agent.js';
import { startPgProxy, type PgProxy } from './pgProxy.js';
import { campaignInput, readySender, seedContacts, simAccount, type Sender } from './sendingHelpers.js';
import { awsExample, postSns, startSnsHost, topicArnOf, type SnsHost } from './snsHelpers.js';
import { countsOfCampaign, groupBy, waitForCampaignStatus } from './workerProcesses.js';

/**
 * Postgres going away while a campaign sends and SES events pour in (the
 * simulator's, and a flood of 2,000 more posted as SNS would): Herald
 * reaches its database through a proxy the test cuts (open connections
 * dropped, new ones refused), then restores. While it is down every process
 * keeps running and says so (503s, /readyz not ready, a few warnings, no
 * error storm); afterwards the campaign finishes with every message sent
 * exactly once and every notification that was answered 200 (at once or
 * when SNS tried again) stored and applied exactly once.
 */

const RECIPIENTS = 400;
const OUTAGE_MS = 6_000;
/** Opens posted per early message: 80 × 25 = 2,000 notifications, before, during and after the outage. */
const FLOOD_PER_MESSAGE = 25;

let sim: SesSimulator;
let sns: SnsHost;
let proxy: PgProxy;
let herald: TestHerald;
/** The test's own connection, straight to Postgres: it sees the database while Herald cannot. */
let direct: postgres.Sql;

beforeAll(async () => {
  const admin = new URL(inject('adminDatabaseUrl'));
  sim = await startSesSimulator();
  sns = await startSnsHost();
  proxy = await startPgProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  herald = await startTestHerald(admin.toString(), {
    env: { SES_ENDPOINT: sim.url, SNS_CERT_URL_ALLOW: `${sim.url},${sns.allowPrefix}`, SEND_LEASE_SECONDS: '4', SES_REQUEST_TIMEOUT_MS: '2000' },
    roles: { http: true, worker: true },
    routeDatabase: proxy.route,
  });
  // SNS's retry policy, compressed: a notification refused with 503 comes again every second for a while.
  sim.events.configure({ webhookUrl: `${herald.url}/webhooks/email`, retryDelayMs: 1_000, retries: 60, deliveryDelayMs: [100, 1_000], openProbability: 0.3 });
  const own = new URL(admin);
  own.pathname = new URL(herald.deps.env.databaseUrl ?? '').pathname;
  direct = postgres(own.toString(), { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  sim?.events.configure({ webhookUrl: null });
  await proxy?.restore();
  await direct?.end({ timeout: 5 });
  await herald?.stop();
  await proxy?.close();
  await sns?.stop();
  await sim?.stop();
});

/**
 * Posts every notification the way SNS does at full speed, 16 at a time: one answered other than 200
 * comes again a moment later, until each is taken. Resolves with how many posts were refused.
 */
async function deliverLikeSns(envelopes: SnsEnvelope[]): Promise<{ refused: number }> {
  const queue = [...envelopes];
  let refused = 0;
  const poster = async () => {
    for (let envelope = queue.shift(); envelope; envelope = queue.shift()) {
      const { status } = await postSns(herald.url, envelope);
      if (status === 200) continue;
      expect(status).toBe(503);
      refused += 1;
      await sleep(250);
      queue.push(envelope);
    }
  };
  await Promise.all(Array.from({ length: 16 }, poster));
  return { refused };
}

const errorLines = () => herald.logs.filter((line) => /"level":(50|60)/.test(line));

async function startCampaign(sender: Sender, count: number, prefix: string): Promise<string> {
  // As event setup leaves a channel: sends name a configuration set, so every SES event carries Herald's
  // message tag and finds its message even when it comes in before the send's outcome is written.
  await direct`update tenant_channel_settings set configuration_set_name = 'herald-events' where tenant_id = ${sender.tenantId}`;
  const { id: listId } = await sender.agent.trpc.lists.create.mutate({ name: `List ${prefix}` });
  await seedContacts(direct, { ...sender, listId }, count, prefix);
  const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(listId));
  await sender.agent.trpc.campaigns.send.mutate({ id });
  return id;
}

/** Statuses of a message SES accepted; `unknown`, `sending` or `queued` at the end would mean a lost outcome or a lost send. */
const ACCEPTED = ['sent', 'delivered', 'opened', 'clicked'];

/**
 * Once the simulator has posted every event and Herald has applied them: every message of the campaign
 * was accepted by SES exactly once, is recorded as such, and the counters equal the rows.
 */
async function expectSentExactlyOnce(sender: Sender, campaignId: string, count: number): Promise<void> {
  await sim.events.idle();
  await vi.waitFor(
    async () => {
      const [pending] = await direct<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`;
      expect(pending?.n).toBe(0);
    },
    { timeout: 20_000, interval: 200 },
  );
  const { counted, stats } = await countsOfCampaign(herald, campaignId);
  const notAccepted = await direct`select status, last_error from messages where campaign_id = ${campaignId} and status <> all(${ACCEPTED}) limit 3`;
  expect(notAccepted).toEqual([]);
  expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(count);
  expect(stats).toEqual(counted);
  const accepted = sim.state.messagesOf(sender.accountId).filter((m) => m.tags.herald_campaign === campaignId);
  const perRecipient = groupBy(accepted, (m) => m.destinations.join(','));
  expect(perRecipient.size).toBe(count);
  expect([...perRecipient.values()].filter((copies) => copies.length > 1)).toEqual([]);
}

it('a campaign and SES events outlive a database outage: 503s while it is down, nothing lost or sent twice', { timeout: 180_000 }, async () => {
  const sender = await readySender(herald, sim, simAccount({ maxSendRate: 40 }), 'Outage');
  const campaignId = await startCampaign(sender, RECIPIENTS, 'outage');
  await vi.waitFor(() => expect(sim.state.messagesOf(sender.accountId).length).toBeGreaterThan(80), { timeout: 60_000, interval: 50 });
  // A webhook flood beside the simulator's own events: opens of the first accepted messages, each its own SNS message.
  const flood = sim.state
    .messagesOf(sender.accountId)
    .slice(0, 80)
    .flatMap((m) => Array.from({ length: FLOOD_PER_MESSAGE }, () => signedNotification(sns.signer(), {
      topicArn: topicArnOf(sender.accountId),
      message: awsExample('open', { sesMessageId: m.messageId, accountId: sender.accountId, recipients: m.destinations }),
    })));
  const errorsBefore = errorLines().length;
  const flooding = deliverLikeSns(flood);
  await sleep(300);

  await proxy.cut();
  const downSince = Date.now();
  expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${herald.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'not ready', reason: 'database unreachable' });

  const query = await rawCall(herald.url, `campaigns.get?input=${encodeURIComponent(JSON.stringify({ id: campaignId }))}`, { method: 'GET', headers: { cookie: sender.agent.cookie ?? '' } });
  expect(query.status).toBe(503);
  expect(JSON.stringify(query.json)).toMatch(/database is unavailable/i);
  expect(JSON.stringify(query.json)).not.toMatch(/stack|ECONNREFUSED|at \w+ \(/);
  const rest = await fetch(`${herald.url}/api/tenant/channels/email`, { headers: { cookie: sender.agent.cookie ?? '' } });
  expect(rest.status).toBe(503);
  expect(rest.headers.get('retry-after')).toBeTruthy();
  expect(JSON.stringify(await rest.json())).toMatch(/database is unavailable/i);
  const webhook = await postSns(herald.url, flood[0]!);
  expect(webhook.status).toBe(503);

  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
  await proxy.restore();

  await vi.waitFor(async () => expect((await fetch(`${herald.url}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 200 });
  // Every notification of the flood was taken exactly once: those refused while the database was down came again.
  const { refused } = await flooding;
  expect(refused).toBeGreaterThan(0);
  await waitForCampaignStatus(sender, campaignId, 'sent', 90_000);
  await expectSentExactlyOnce(sender, campaignId, RECIPIENTS);

  // Every SES event the simulator posted (many refused with 503 first) ends up applied once.
  expect(sim.events.stats().failed).toBe(0);
  const [stored] = await direct<{ rows: number; distinct: number; pending: number }[]>`
    select count(*)::int as rows, count(distinct sns_message_id)::int as distinct, count(*) filter (where state = 'pending')::int as pending
    from message_events where sns_message_id = any(${flood.map((e) => e.MessageId)}::text[])`;
  expect(stored).toEqual({ rows: flood.length, distinct: flood.length, pending: 0 });
  const metrics = await sender.agent.trpc.campaigns.metrics.query({ id: campaignId });
  expect(metrics.counts.delivered).toBe(RECIPIENTS);
  const [opens] = await direct<{ n: number }[]>`select count(*)::int as n from messages where campaign_id = ${campaignId} and opened_at is not null`;
  expect(metrics.counts.opened).toBe(opens?.n);

  // The outage was reported, not stormed: no request failed with a 500 and no stack was logged per request.
  const newErrors = errorLines().slice(errorsBefore);
  expect(newErrors.filter((line) => /procedure failed|"statusCode":500/.test(line))).toEqual([]);
  expect(newErrors.length).toBeLessThanOrEqual(3);
});

it('a Postgres restart that ends every connection is picked up again at once', { timeout: 120_000 }, async () => {
  const sender = await readySender(herald, sim, simAccount({ maxSendRate: 40 }), 'Restart');
  const campaignId = await startCampaign(sender, 200, 'restart');
  await vi.waitFor(() => expect(sim.state.messagesOf(sender.accountId).length).toBeGreaterThan(40), { timeout: 60_000, interval: 50 });
  // What a restart does to every session of the database: the server ends them (57P01).
  const [ended] = await direct<{ n: number }[]>`
    select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()) t`;
  expect(ended?.n).toBeGreaterThan(0);
  await vi.waitFor(async () => expect((await sender.agent.trpc.campaigns.get.query({ id: campaignId })).id).toBe(campaignId), { timeout: 10_000, interval: 100 });
  await waitForCampaignStatus(sender, campaignId, 'sent', 90_000);
  await expectSentExactlyOnce(sender, campaignId, 200);
});

it("a transactional email whose SES answer comes while the database is away is recorded sent once it is back", { timeout: 60_000 }, async () => {
  // SES takes the message, then answers 1.5 s later: the cut falls between the accept and the outcome write.
  const sender = await readySender(herald, sim, simAccount({ failures: { stallAfterAcceptMs: 1_500 } }), 'Receipts');
  const { key } = await sender.agent.trpc.apiKeys.create.mutate({ name: 'Billing service' });
  const service = agent(herald.url, { bearer: key });
  const { id } = await service.trpc.emails.send.mutate({ from: 'news@sender.test', to: 'ada@inbox.test', subject: 'Your receipt', text: 'Thanks.' });
  await vi.waitFor(() => expect(sim.state.messagesOf(sender.accountId)).toHaveLength(1), { timeout: 20_000, interval: 20 });
  await proxy.cut();
  await sleep(4_000);
  await proxy.restore();

  const [accepted] = sim.state.messagesOf(sender.accountId);
  await vi.waitFor(
    async () => expect((await direct`select status::text, provider_message_id from emails where id = ${id}`)[0]).toEqual({ status: 'sent', provider_message_id: accepted?.messageId }),
    { timeout: 20_000, interval: 100 },
  );
  expect(sim.state.messagesOf(sender.accountId)).toHaveLength(1);
});
