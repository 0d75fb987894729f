import { describe, expect, it, vi } from 'vitest';
import { rawCall, signedUpAgent } from './agent.js';
import { campaignInput, readySender, seedContacts, simAccount } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * A campaign from "send" to `sent`, with the worker running in the test's
 * Herald, through the real AWS SDK against the local SES simulator.
 */

const h = useHeraldWithSimulator({ env: { SEND_LEASE_SECONDS: '5', SES_REQUEST_TIMEOUT_MS: '3000' }, roles: { http: true, worker: true } });

const waitForStatus = (agent: Awaited<ReturnType<typeof readySender>>['agent'], id: string, status: string, timeout = 30_000) =>
  vi.waitFor(
    async () => {
      const c = await agent.trpc.campaigns.get.query({ id });
      expect(c.status).toBe(status);
      return c;
    },
    { timeout, interval: 100 },
  );

describe('sending a campaign', () => {
  it('sends one email per eligible member, skips opted-out and suppressed ones, and ends `sent`', async () => {
    const sender = await readySender(h.herald, h.sim);
    await seedContacts(h.herald.deps.sql, sender, 30);
    await h.herald.deps.sql`update contacts set status = 'unsubscribed' where tenant_id = ${sender.tenantId} and email = 'reader-00002@inbox.test'`;
    await h.herald.deps.sql`update contacts set status = 'bounced' where tenant_id = ${sender.tenantId} and email = 'reader-00003@inbox.test'`;
    await sender.agent.trpc.suppressions.add.mutate({ email: 'reader-00004@inbox.test' });

    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    const check = await sender.agent.trpc.campaigns.sendCheck.query({ id });
    expect(check).toMatchObject({ problems: [], recipients: 27, excluded: 3, fromEmail: 'news@sender.test' });
    expect((await sender.agent.trpc.campaigns.send.mutate({ id })).status).toBe('sending');

    const done = await waitForStatus(sender.agent, id, 'sent');
    expect(done.counts).toMatchObject({ recipients: 30, sent: 27, suppressed: 3, queued: 0, sending: 0, failed: 0, unknown: 0 });
    expect(done.sentAt).not.toBeNull();

    const accepted = h.sim.state.messagesOf(sender.accountId);
    expect(accepted).toHaveLength(27);
    expect(new Set(accepted.map((m) => m.destinations[0])).size).toBe(27);
    const rows = await h.herald.deps.sql<{ id: string; to: string; status: string; provider: string | null; reason: string | null }[]>`
      select id, to_address as to, status, provider_message_id as provider, suppression_reason as reason from messages where campaign_id = ${id}`;
    expect(rows.filter((r) => r.status === 'suppressed').map((r) => [r.to, r.reason]).sort()).toEqual([
      ['reader-00002@inbox.test', 'unsubscribed'],
      ['reader-00003@inbox.test', 'bounced'],
      ['reader-00004@inbox.test', 'suppressed: manual'],
    ]);
    // Each SES MessageId is stored on its row, and the SES tags name tenant, campaign and message.
    for (const m of accepted) {
      const row = rows.find((r) => r.provider === m.messageId);
      expect(row?.to).toBe(m.destinations[0]);
      expect(m.tags).toEqual({ herald_tenant: sender.tenantId, herald_campaign: id, herald_message: row?.id });
    }

    const first = accepted.find((m) => m.destinations[0] === 'reader-00001@inbox.test');
    expect(first?.subject).toBe('Hello Reader1');
    expect(first?.html).toContain('Hi Reader1, here is the news.');
    expect(first?.html).toContain('Harbour Road 7');
    expect(first?.text).toContain('Hi Reader1, here is the news.');
    const header = (name: string) => first?.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    expect(header('From')).toBe('Sender News <news@sender.test>');
    expect(header('List-Unsubscribe')).toMatch(new RegExp(`^<${h.herald.url.replace(/[.]/g, '\\.')}/u/[\\w.-]+>$`));
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // The List-Unsubscribe link is the contact's own working one-click link.
    const unsubscribePath = new URL(header('List-Unsubscribe')?.slice(1, -1) ?? '').pathname;
    const res = await fetch(`${h.herald.url}${unsubscribePath}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    const [contact] = await h.herald.deps.sql`select status from contacts where tenant_id = ${sender.tenantId} and email = 'reader-00001@inbox.test'`;
    expect(contact?.status).toBe('unsubscribed');

    const metrics = await sender.agent.trpc.campaigns.metrics.query({ id });
    expect(metrics).toMatchObject({ status: 'sent', done: 30, progress: 1, counts: { sent: 27 } });
    const listed = await sender.agent.trpc.campaigns.list.query();
    expect(listed.find((c) => c.id === id)?.counts.sent).toBe(27);
  });

  it('passes the configuration set to SES when the channel names one', async () => {
    const account = simAccount();
    const sender = await readySender(h.herald, h.sim, account, 'Configured');
    await sender.agent.trpc.channels.email.connect.mutate({ accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey, region: 'us-east-1', senderEmail: 'news@sender.test', configurationSetName: 'herald-events' });
    await seedContacts(h.herald.deps.sql, sender, 2);
    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    await sender.agent.trpc.campaigns.send.mutate({ id });
    await waitForStatus(sender.agent, id, 'sent');
    expect(h.sim.state.messagesOf(sender.accountId).map((m) => m.configurationSetName)).toEqual(['herald-events', 'herald-events']);
  });
});

describe('refusing to send', () => {
  it('without Amazon SES: PRECONDITION_FAILED pointing at Settings → Channels, and nothing changes', async () => {
    const { agent } = await signedUpAgent(h.herald.url, 'NoSes');
    await agent.trpc.tenant.updateProfile.mutate({ companyName: 'NoSes', postalAddress: 'Somewhere 1' });
    const { id: listId } = await agent.trpc.lists.create.mutate({ name: 'All' });
    const { id } = await agent.trpc.campaigns.create.mutate(campaignInput(listId));
    await expect(agent.trpc.campaigns.send.mutate({ id })).rejects.toMatchObject({
      message: 'Connect Amazon SES in Settings → Channels before sending.',
      data: { code: 'PRECONDITION_FAILED', details: { problem: 'NO_CHANNEL', fixPath: '/settings/channels' } },
    });
    expect((await agent.trpc.campaigns.get.query({ id })).status).toBe('draft');
    const [row] = await h.herald.deps.sql`select count(*)::int as n from messages where campaign_id = ${id}`;
    expect(row?.n).toBe(0);
  });

  it('without a postal address, with an unverified sender, or with an empty list', async () => {
    const sender = await readySender(h.herald, h.sim);
    await h.herald.deps.sql`update tenants set postal_address = null where id = ${sender.tenantId}`;
    const { id } = await sender.agent.trpc.campaigns.create.mutate({ ...campaignInput(sender.listId), fromEmail: 'someone@elsewhere.test' });
    const check = await sender.agent.trpc.campaigns.sendCheck.query({ id });
    expect(check.problems.map((p) => p.code)).toEqual(['SENDER_NOT_VERIFIED', 'NO_POSTAL_ADDRESS', 'EMPTY_AUDIENCE']);
    expect(check.problems[0]?.message).toMatch(/^someone@elsewhere\.test is not a verified sender/);
    await expect(sender.agent.trpc.campaigns.send.mutate({ id })).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED', details: { problem: 'SENDER_NOT_VERIFIED' } } });
    expect((await sender.agent.trpc.campaigns.get.query({ id })).status).toBe('draft');
  });

  it('a campaign that is not a draft cannot be sent again', async () => {
    const sender = await readySender(h.herald, h.sim);
    await seedContacts(h.herald.deps.sql, sender, 1);
    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    await sender.agent.trpc.campaigns.send.mutate({ id });
    await expect(sender.agent.trpc.campaigns.send.mutate({ id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await waitForStatus(sender.agent, id, 'sent');
    expect(h.sim.state.messagesOf(sender.accountId)).toHaveLength(1);
  });
});

describe('test sends', () => {
  it('sends one "[Test]" email to any address, merged with that contact when there is one, and records no message', async () => {
    const sender = await readySender(h.herald, h.sim);
    await seedContacts(h.herald.deps.sql, sender, 2);
    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    const sent = await sender.agent.trpc.campaigns.sendTest.mutate({ id, to: ' Reader-00002@Inbox.test ' });
    expect(sent.to).toBe('reader-00002@inbox.test');
    const outsider = await sender.agent.trpc.campaigns.sendTest.mutate({ id, to: 'boss@elsewhere.test' });
    const [mine, theirs] = h.sim.state.messagesOf(sender.accountId);
    expect(mine).toMatchObject({ messageId: sent.messageId, destinations: ['reader-00002@inbox.test'], subject: '[Test] Hello Reader2' });
    // Tagged with its test_sends row, so its SES events are linked there instead of counted or orphaned.
    const tests = await h.herald.deps.sql`select id, kind, to_address, provider_message_id from test_sends where campaign_id = ${id} order by sent_at`;
    expect(tests.map((t) => ({ ...t }))).toEqual([
      { id: expect.any(String), kind: 'campaign', to_address: 'reader-00002@inbox.test', provider_message_id: sent.messageId },
      { id: expect.any(String), kind: 'campaign', to_address: 'boss@elsewhere.test', provider_message_id: outsider.messageId },
    ]);
    expect(mine?.tags).toEqual({ herald_tenant: sender.tenantId, herald_campaign: id, herald_test: tests[0]?.id });
    // Not a contact: merged with the list's first member, as the preview does.
    const sample = (await sender.agent.trpc.campaigns.preview.query({ id })).sampleContact;
    expect(theirs).toMatchObject({ messageId: outsider.messageId, destinations: ['boss@elsewhere.test'], subject: `[Test] Hello ${sample.firstName}` });
    expect((await sender.agent.trpc.campaigns.get.query({ id })).status).toBe('draft');
    const [row] = await h.herald.deps.sql`select count(*)::int as n from messages where campaign_id = ${id}`;
    expect(row?.n).toBe(0);
  });

  it('refuses a bad address, a malformed id or no credentials, sending nothing', async () => {
    const sender = await readySender(h.herald, h.sim);
    const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    await expect(sender.agent.trpc.campaigns.sendTest.mutate({ id, to: 'not-an-email' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { to: expect.any(String) } } });
    await expect(sender.agent.trpc.campaigns.sendTest.mutate({ id, to: `${'x'.repeat(5000)}@big.test` })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    await expect(sender.agent.trpc.campaigns.send.mutate({ id: 'not-a-uuid' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    for (const path of ['campaigns.send', 'campaigns.sendTest', 'campaigns.pause', 'campaigns.resume', 'campaigns.cancel']) {
      const res = await rawCall(h.herald.url, path, { body: JSON.stringify({ id, to: 'a@b.test' }) });
      expect(res.status).toBe(401);
    }
    expect((await rawCall(h.herald.url, `campaigns.metrics?input=${encodeURIComponent(JSON.stringify({ id }))}`, { method: 'GET' })).status).toBe(401);
    expect(h.sim.state.messagesOf(sender.accountId)).toHaveLength(0);
    expect((await sender.agent.trpc.campaigns.get.query({ id })).status).toBe('draft');
  });
});
