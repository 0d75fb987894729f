import { describe, expect, it } from 'vitest';
import type { SimAccountInput } from '../src/dev/sesSimulator.js';
import { runFanOut } from '../src/sending/fanOut.js';
import { runSendLane } from '../src/sending/sendLane.js';
import { campaignInput, readySender, seedContacts, simAccount, type Sender } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Every class of SES failure, through the real AWS SDK against the
 * simulator. No worker runs here: the test drives the fan-out and the send
 * lane itself, so each step and its outcome are deterministic.
 */

const h = useHeraldWithSimulator({ env: { SEND_LEASE_SECONDS: '5', SES_REQUEST_TIMEOUT_MS: '3000' } });

type Prepared = Sender & { campaignId: string; account: ReturnType<typeof simAccount> };

/** A tenant with `recipients` contacts and a campaign that is `sending` and fanned out, nothing sent yet. */
async function prepared(recipients: number, failures: SimAccountInput['failures'] = {}): Promise<Prepared> {
  const account = simAccount();
  const sender = await readySender(h.herald, h.sim, account, 'Errors');
  await seedContacts(h.herald.deps.sql, sender, recipients);
  const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
  await sender.agent.trpc.campaigns.send.mutate({ id });
  while ((await runFanOut(h.herald.deps, id)) !== 'done');
  h.sim.state.putAccount({ ...h.sim.state.findAccount(account.accessKeyId)!, failures: { ...h.sim.state.findAccount(account.accessKeyId)!.failures, ...failures } });
  return { ...sender, campaignId: id, account };
}

type MessageRow = { to: string; status: string; attempts: number; lastError: string | null; retryInS: number | null; provider: string | null };
const messagesOf = (campaignId: string) =>
  h.herald.deps.sql<MessageRow[]>`
    select to_address as "to", status, attempts, last_error as "lastError", provider_message_id as provider,
      extract(epoch from next_attempt_at - now())::float8 as "retryInS"
    from messages where campaign_id = ${campaignId} order by to_address`;
/** Makes every queued retry due now, instead of waiting for its backoff. */
const fastForward = (campaignId: string) => h.herald.deps.sql`update messages set next_attempt_at = null where campaign_id = ${campaignId}`;
const accepted = (p: Prepared) => h.sim.state.messagesOf(p.accountId);
const campaignOf = (p: Prepared) => p.agent.trpc.campaigns.get.query({ id: p.campaignId });

describe('throttling: requeued without spending an attempt', () => {
  it('"Maximum sending rate exceeded" retries a second later, then sends', async () => {
    const p = await prepared(1, { sendErrors: [{ code: 'Throttling', message: 'Maximum sending rate exceeded.', status: 400 }] });
    expect(await runSendLane(h.herald.deps, p.campaignId)).toMatchObject({ next: 'later' });
    const [row] = await messagesOf(p.campaignId);
    expect(row).toMatchObject({ status: 'queued', attempts: 0, lastError: 'SES said the maximum sending rate was exceeded. (AWS error: Throttling)' });
    expect(row?.retryInS).toBeGreaterThan(0.5);
    await fastForward(p.campaignId);
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'sent', attempts: 0, lastError: null });
    expect(accepted(p)).toHaveLength(1);
    expect((await campaignOf(p)).status).toBe('sent');
  });

  it('"Daily message quota exceeded" pauses the tenant until the quota frees, shown on the channel', async () => {
    const quota = { code: 'Throttling', message: 'Daily message quota exceeded.', status: 400 };
    // Both messages of the batch are in flight together, so both meet the spent quota.
    const p = await prepared(2, { sendErrors: [quota, quota] });
    const step = await runSendLane(h.herald.deps, p.campaignId);
    expect(step.next).toBe('later');
    const channel = await p.agent.trpc.channels.email.get.query();
    expect(channel.sendingPausedReason).toMatch(/24-hour sending quota is used up/);
    const until = new Date(channel.sendingPausedUntil ?? 0).getTime();
    expect(until - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(step.next === 'later' && step.runAt.getTime()).toBe(until);
    expect((await messagesOf(p.campaignId)).map((m) => [m.status, m.attempts])).toEqual([['queued', 0], ['queued', 0]]);
    // While paused, a lane sends nothing and waits for the pause to end.
    expect(await runSendLane(h.herald.deps, p.campaignId)).toMatchObject({ next: 'later' });
    expect(accepted(p)).toHaveLength(0);
    expect((await campaignOf(p)).status).toBe('sending');
  });
});

describe('transient failures: retried with backoff, at most 3 attempts', () => {
  it('5xx twice, then accepted on the third attempt', async () => {
    const p = await prepared(1, {
      sendErrors: [
        { code: 'InternalFailure', message: 'The request processing has failed.', status: 500 },
        { code: 'ServiceUnavailable', message: 'Service is unable to handle request.', status: 503 },
      ],
    });
    await runSendLane(h.herald.deps, p.campaignId);
    const [first] = await messagesOf(p.campaignId);
    expect(first).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('HTTP 500') });
    expect(first?.retryInS).toBeGreaterThan(1);
    await fastForward(p.campaignId);
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'queued', attempts: 2 });
    await fastForward(p.campaignId);
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(accepted(p)).toHaveLength(1);
  });

  it('a third 5xx fails the message with the reason', async () => {
    const error = { code: 'InternalFailure', message: 'Boom.', status: 500 };
    const p = await prepared(1, { sendErrors: [error, error, error] });
    for (let i = 0; i < 3; i += 1) {
      await runSendLane(h.herald.deps, p.campaignId);
      await fastForward(p.campaignId);
    }
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/HTTP 500.*Gave up after 3 attempts/) });
    expect((await campaignOf(p)).status).toBe('sent');
  });

  it('SES unreachable (the request never left) is retried, not failed', async () => {
    const p = await prepared(1);
    const unreachable = { ...h.herald.deps, env: { ...h.herald.deps.env, sesEndpoint: 'http://127.0.0.1:9' } };
    await runSendLane(unreachable, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'queued', attempts: 1, lastError: 'Herald could not reach Amazon SES (ECONNREFUSED).' });
  });
});

describe('permanent failures: failed at once', () => {
  it('a refused recipient fails alone; the others are sent', async () => {
    const p = await prepared(3, { rejectRecipients: ['reader-00002@inbox.test'] });
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await messagesOf(p.campaignId)).map((m) => [m.to, m.status, m.attempts])).toEqual([
      ['reader-00001@inbox.test', 'sent', 0],
      ['reader-00002@inbox.test', 'failed', 1],
      ['reader-00003@inbox.test', 'sent', 0],
    ]);
    expect((await messagesOf(p.campaignId))[1]?.lastError).toBe('SES rejected the message: Illegal address (AWS error: MessageRejected)');
    expect((await campaignOf(p)).counts).toMatchObject({ sent: 2, failed: 1 });
  });

  it('MailFromDomainNotVerified fails the message without retrying', async () => {
    const p = await prepared(1, { sendErrors: [{ code: 'MailFromDomainNotVerifiedException', message: 'Mail-From domain not verified.', status: 400 }] });
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('MailFromDomainNotVerifiedException') });
    expect((await campaignOf(p)).status).toBe('sent');
  });
});

describe('account-level failures: the tenant’s campaigns pause with the reason', () => {
  it.each<[string, SimAccountInput['failures'], RegExp]>([
    ['AccountSendingPaused', { accountPaused: true }, /paused sending for your AWS account/],
    ['InvalidClientTokenId', { invalidKey: true }, /no longer accepts the stored keys/],
    ['AccessDenied', { accessDenied: ['SendRawEmail'] }, /not allowed to send \(ses:SendRawEmail\)/],
  ])('%s', async (_code, failures, reason) => {
    const p = await prepared(3, failures);
    expect(await runSendLane(h.herald.deps, p.campaignId)).toEqual({ next: 'done' });
    const campaign = await campaignOf(p);
    expect(campaign.status).toBe('paused');
    expect(campaign.pausedReason).toMatch(reason);
    expect((await p.agent.trpc.channels.email.get.query()).lastError).toMatch(reason);
    // Nothing was spent: every message waits, unsent, for the account to be fixed.
    expect((await messagesOf(p.campaignId)).map((m) => [m.status, m.attempts])).toEqual([['queued', 0], ['queued', 0], ['queued', 0]]);
    expect(accepted(p)).toHaveLength(0);
  });

  it('resuming after the account is fixed sends what was left', async () => {
    const p = await prepared(2, { accountPaused: true });
    await runSendLane(h.herald.deps, p.campaignId);
    h.sim.state.putAccount({ ...h.sim.state.findAccount(p.accessKeyId)!, failures: { ...h.sim.state.findAccount(p.accessKeyId)!.failures, accountPaused: false } });
    expect((await p.agent.trpc.campaigns.resume.mutate({ id: p.campaignId })).status).toBe('sending');
    await runSendLane(h.herald.deps, p.campaignId);
    expect((await campaignOf(p)).status).toBe('sent');
    expect(accepted(p)).toHaveLength(2);
  });
});

describe('outcome unknown', () => {
  it('a timeout after SES took the message leaves it `unknown`, never sent twice', async () => {
    const p = await prepared(1, { stallAfterAcceptMs: 1_500 });
    const impatient = { ...h.herald.deps, env: { ...h.herald.deps.env, sesRequestTimeoutMs: 300 } };
    await runSendLane(impatient, p.campaignId);
    expect((await messagesOf(p.campaignId))[0]).toMatchObject({ status: 'unknown', lastError: expect.stringMatching(/may or may not have been sent/) });
    expect(accepted(p)).toHaveLength(1);
    await runSendLane(h.herald.deps, p.campaignId);
    expect(accepted(p)).toHaveLength(1);
    expect((await campaignOf(p))).toMatchObject({ status: 'sent', counts: { unknown: 1 } });
  });
});
