import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { signedNotification } from '../src/dev/snsMessages.js';
import { readySender, seedContacts, campaignInput, simAccount, type Sender } from './sendingHelpers.js';
import { awsExample, postSns } from './snsHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * After setup, what the health panel and the test emails say, against the
 * simulator posting through the destination Herald created and the real
 * webhook and worker.
 */
const h = useHeraldWithSimulator({ roles: { http: true, worker: true }, simulatorSns: true, snsHost: true, simulator: { events: { deliveryDelayMs: [20, 60], openDelayMs: [20, 60], clickDelayMs: [20, 60] } } });

let sender: Sender;
beforeAll(async () => {
  sender = await readySender(h.herald, h.sim, simAccount(), 'Health');
  await sender.agent.trpc.channels.email.setupEvents.mutate();
  await vi.waitFor(async () => expect((await sender.agent.trpc.channels.email.health.query()).subscription?.confirmedAt).toEqual(expect.any(String)), { timeout: 15_000 });
});

const sql = () => h.herald.deps.sql;

describe('test emails', () => {
  it('show Send and Delivery, Bounce, and Complaint arriving; none of the three addresses is suppressed, counted or orphaned', async () => {
    const started = await sender.agent.trpc.channels.email.sendTestEmails.mutate();
    expect(started.sends.map((s) => [s.to, s.scenario, s.expected])).toEqual([
      ['success@simulator.amazonses.com', 'delivery', ['Send', 'Delivery']],
      ['bounce@simulator.amazonses.com', 'bounce', ['Bounce']],
      ['complaint@simulator.amazonses.com', 'complaint', ['Complaint']],
    ]);
    const done = await vi.waitFor(
      async () => {
        const batch = await sender.agent.trpc.channels.email.testEmails.query({ batchId: started.batchId });
        expect(batch.done).toBe(true);
        return batch;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(done.sends.map((s) => ({ to: s.to, state: s.state, missing: s.missing, error: s.error }))).toEqual(
      started.sends.map((s) => ({ to: s.to, state: 'passed', missing: [], error: null })),
    );
    expect(done.sends[0]?.received.map((e) => e.type)).toEqual(expect.arrayContaining(['Send', 'Delivery']));

    // Let every event of the three (Send for each, Delivery for the complaint too) be processed, then look.
    await h.sim.events.idle();
    await vi.waitFor(async () => {
      const [pending] = await sql()`select count(*)::int as n from message_events where aws_account_id = ${sender.accountId} and state = 'pending'`;
      expect(pending?.n).toBe(0);
    }, { timeout: 10_000, interval: 100 });
    const suppressed = await sql()`select email from suppressions where tenant_id = ${sender.tenantId}`;
    expect(suppressed).toEqual([]);
    const health = await sender.agent.trpc.channels.email.health.query();
    expect(health.orphanEventsLast24h).toBe(0);
    expect(health.verdict).toEqual({ state: 'working', text: expect.stringMatching(/^Working: \d+ events in the last 24 h\.$/) });
    expect(health.eventsLast24h.byType.map((t) => t.type)).toEqual(expect.arrayContaining(['Send', 'Delivery', 'Bounce', 'Complaint']));
    expect(health.lastEvent).toMatchObject({ at: expect.any(String), type: expect.any(String) });
    expect(health.sentLast24h).toBeGreaterThanOrEqual(3);
    const [counted] = await sql()`select count(*)::int as n from campaign_timeline where tenant_id = ${sender.tenantId}`;
    expect(counted?.n).toBe(0);

    await expect(sender.agent.trpc.channels.email.testEmails.query({ batchId: randomUUID() })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it("links a campaign's test send and its campaign's events through the destination, and counts Herald's sends in the 24-hour usage", async () => {
    await seedContacts(sql(), sender, 3, 'health');
    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    const test = await sender.agent.trpc.campaigns.sendTest.mutate({ id, to: 'reviewer@inbox.test' });
    await sender.agent.trpc.campaigns.send.mutate({ id });
    await vi.waitFor(async () => expect((await sender.agent.trpc.campaigns.metrics.query({ id })).counts.delivered).toBe(3), { timeout: 20_000, interval: 200 });
    const sent = h.sim.state.messagesOf(sender.accountId).filter((m) => m.destinations[0]?.endsWith('@inbox.test'));
    expect(sent.every((m) => m.configurationSetName === 'herald-events')).toBe(true);

    await vi.waitFor(async () => {
      const rows = await sql()`select me.state, me.test_send_id from message_events me where me.ses_message_id = ${test.messageId}`;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.state === 'applied' && r.test_send_id !== null)).toBe(true);
    }, { timeout: 10_000, interval: 100 });
    expect((await sender.agent.trpc.campaigns.metrics.query({ id })).counts.recipients).toBe(3);
    expect((await sender.agent.trpc.channels.email.health.query()).orphanEventsLast24h).toBe(0);

    const channel = await sender.agent.trpc.channels.email.refresh.mutate();
    expect(channel.heraldSentLast24Hours).toBeGreaterThanOrEqual(3 + 1 + 3);
    // SES counts every accepted recipient except the mailbox simulator's: the campaign and the reviewer's test.
    expect(channel.quota?.sentLast24Hours).toBe(4);
  });
});

describe('refused deliveries', () => {
  it('change nothing, and are counted by reason on the health panel of the account they claim', async () => {
    const topicArn = `arn:aws:sns:us-east-1:${sender.accountId}:herald-events`;
    const event = awsExample('delivery', { sesMessageId: 'forged-0001', accountId: sender.accountId, recipients: ['x@inbox.test'] });
    // Signed by a trusted certificate, then altered: the signature no longer covers what is posted.
    const genuine = signedNotification(h.sns.signer(), { topicArn, message: event });
    const [before] = await sql()`select count(*)::int as n from message_events`;

    const forged = await postSns(h.herald.url, { ...genuine, Message: genuine.Message.replace('x@inbox.test', 'y@inbox.test') });
    expect(forged.status).toBe(403);
    const stale = await postSns(h.herald.url, { ...genuine, Timestamp: '2020-01-01T00:00:00.000Z' });
    expect(stale.status).toBe(403);
    const malformed = await postSns(h.herald.url, '{"Type":"Notification"}');
    expect(malformed.status).toBe(400);
    const [after] = await sql()`select count(*)::int as n from message_events`;
    expect(after?.n).toBe(before?.n);

    const health = await vi.waitFor(
      async () => {
        const seen = await sender.agent.trpc.channels.email.health.query();
        expect(seen.refusalsLast24h.total).toBeGreaterThanOrEqual(2);
        return seen;
      },
      { timeout: 5_000, interval: 200 },
    );
    expect(health.refusalsLast24h.byReason).toEqual(
      expect.arrayContaining([
        { reason: 'bad-signature', label: 'Bad signature', count: 1 },
        { reason: 'stale-timestamp', label: 'Stale or future timestamp', count: 1 },
      ]),
    );
    // No TopicArn: counted platform-wide only.
    const [platform] = await sql()`select sum(count)::int as n from webhook_refusals where aws_account_id = '' and reason = 'malformed'`;
    expect(platform?.n).toBeGreaterThanOrEqual(1);
  });
});
