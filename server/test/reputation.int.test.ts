import { describe, expect, it, vi } from 'vitest';
import { laneCount } from '../src/sending/lanes.js';
import { batchSize } from '../src/sending/sendLane.js';
import { hashPassword } from '../src/services/account/passwords.js';
import { agent, type Agent } from './agent.js';
import { campaignInput, readySender, simAccount, type Sender } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * The reputation guard end to end: a real Herald (HTTP and worker) sends
 * through the SES simulator, whose mailbox-simulator addresses bounce and
 * whose events come back as signed SNS notifications to the real webhook.
 * The minimum sample is 20 sends, so small lists are enough.
 */
const MIN_SENDS = 20;
/** Sends per second of the bouncing tenant: slow enough that the guard acts while most of the list waits. */
const SLOW_RATE = 20;

const h = useHeraldWithSimulator({
  simulator: { events: { deliveryDelayMs: [20, 100], openProbability: 0 } },
  simulatorEvents: true,
  env: { REPUTATION_MIN_SENDS: String(MIN_SENDS) },
  roles: { http: true, worker: true },
});

const sql = () => h.herald.deps.sql;
/** Event publishing (a configuration set), so every event carries Herald's message tag. */
const eventAccount = (maxSendRate = 1000) => simAccount({ maxSendRate, defaultConfigurationSet: 'reputation-events' });

/** `readers` ordinary addresses and every `bounceEvery`-th one a hard bounce (bounce+N@ the SES mailbox simulator). */
async function audience(sender: Sender, name: string, readers: number, bounceEvery: number | null): Promise<string> {
  const { id: listId } = await sender.agent.trpc.lists.create.mutate({ name });
  await sql()`
    with made as (
      insert into contacts (tenant_id, email, first_name)
      select ${sender.tenantId},
        case when ${bounceEvery}::int is not null and i % ${bounceEvery}::int = 0 then 'bounce+' || ${name} || i || '@simulator.amazonses.com'
             else ${name} || '-' || i || '@inbox.test' end,
        'Reader' || i
      from generate_series(1, ${readers}) i
      returning id
    )
    insert into list_members (list_id, contact_id, tenant_id) select ${listId}, id, ${sender.tenantId} from made`;
  return listId;
}

async function sendTo(sender: Sender, listId: string, name: string): Promise<string> {
  const { id } = await sender.agent.trpc.campaigns.create.mutate({ ...campaignInput(listId), name });
  await sender.agent.trpc.campaigns.send.mutate({ id });
  return id;
}

const statusOf = async (campaignId: string) => (await sql()<{ status: string }[]>`select status from campaigns where id = ${campaignId}`)[0]?.status;
const waitStatus = (campaignId: string, status: string, timeout = 30_000) =>
  vi.waitFor(async () => expect(await statusOf(campaignId)).toBe(status), { timeout, interval: 100 });

/** Every event the simulator planned is posted and processed, guard included. */
async function eventsSettled(): Promise<void> {
  await h.sim.events.idle();
  const pending = async () => (await sql()<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`)[0]?.n;
  await vi.waitFor(async () => expect(await pending()).toBe(0), { timeout: 20_000, interval: 100 });
}

type Stored = { state: string; reason: string | null; pausedAt: string | null; resumedAt: string | null; resumedBy: string | null };
const storedReputation = async (tenantId: string) =>
  (await sql()<Stored[]>`select state, reason, paused_at as "pausedAt", resumed_at as "resumedAt", resumed_by as "resumedBy" from tenant_reputation where tenant_id = ${tenantId}`)[0];

/** A second person of the tenant, with the member role, signed in. */
async function memberOf(sender: Sender): Promise<Agent> {
  const email = `member-${sender.tenantId}@inbox.test`;
  const [user] = await sql()<{ id: string }[]>`insert into users (email, password_hash) values (${email}, ${await hashPassword('member password 1')}) returning id`;
  await sql()`insert into memberships (tenant_id, user_id, role) values (${sender.tenantId}, ${user?.id as string}, 'member')`;
  const member = agent(h.herald.url);
  await member.trpc.auth.signIn.mutate({ email, password: 'member password 1' });
  return member;
}

const refusal = (reason: string) => ({
  message: `Sending is paused by the reputation guard: ${reason}`,
  data: { code: 'PRECONDITION_FAILED', details: { problem: 'REPUTATION_PAUSED', fixPath: '/' } },
});

describe('past 5 % hard bounces', () => {
  it('pauses the tenant within one batch, refuses to send until an owner resumes, then the campaign finishes', { timeout: 120_000 }, async () => {
    const sender = await readySender(h.herald, h.sim, eventAccount(SLOW_RATE), 'Bouncy');
    const listId = await audience(sender, 'bouncy', 200, 5); // 40 of 200 bounce: 20 %
    const campaignId = await sendTo(sender, listId, 'Spring news');

    await waitStatus(campaignId, 'paused');
    const paused = await storedReputation(sender.tenantId);
    expect(paused).toMatchObject({ state: 'paused', pausedAt: expect.anything() });
    const reason = paused?.reason as string;
    // Exactly 5 % when the guard looks (1 bounce in its first 20 sends) reads "at 5 %"; more reads "above".
    expect(reason).toMatch(/^Bounce rate \d+(\.\d)? % over the last \d+ sends is (above|at) 5 %: Herald paused sending before Amazon SES reviews your account\. Clean your list, then resume\.$/);
    const [campaign] = await sql()<{ pausedReason: string }[]>`select paused_reason as "pausedReason" from campaigns where id = ${campaignId}`;
    expect(campaign?.pausedReason).toBe(reason);
    expect(h.herald.logs.some((line) => line.includes('"level":40') && line.includes('reputation state changed') && line.includes(sender.tenantId))).toBe(true);

    // Batches already claimed finish; nothing new is claimed: at most one batch per lane went out after the pause.
    await vi.waitFor(async () => expect((await sql()`select 1 from messages where campaign_id = ${campaignId} and status = 'sending'`).length).toBe(0), { timeout: 10_000 });
    const [after] = await sql()<{ queued: number; sentAfterPause: number }[]>`
      select count(*) filter (where status = 'queued')::int as queued,
        count(*) filter (where sent_at > ${paused?.pausedAt as string}::timestamptz)::int as "sentAfterPause"
      from messages where campaign_id = ${campaignId}`;
    expect(after?.sentAfterPause).toBeLessThanOrEqual(laneCount(SLOW_RATE, h.herald.deps.env.workerConcurrency) * batchSize(SLOW_RATE));
    expect(after?.queued).toBeGreaterThan(50);
    await new Promise((resolve) => setTimeout(resolve, 1000)).then(async () => expect(await statusOf(campaignId)).toBe('paused'));

    const seen = await sender.agent.trpc.reputation.get.query();
    expect(seen).toMatchObject({ state: 'paused', reason, minSends: MIN_SENDS, thresholds: { bounceWarning: 0.02, bouncePause: 0.05, complaintWarning: 0.0005, complaintPause: 0.001 } });
    expect(seen.sends).toBeGreaterThanOrEqual(MIN_SENDS);
    expect(seen.bounceRate).toBeGreaterThanOrEqual(0.05);

    // Nothing starts or resumes while the guard holds the tenant; the send confirmation says why.
    const draft = await sender.agent.trpc.campaigns.create.mutate({ ...campaignInput(listId), name: 'Another' });
    expect((await sender.agent.trpc.campaigns.sendCheck.query({ id: draft.id })).problems).toContainEqual({ code: 'REPUTATION_PAUSED', message: refusal(reason).message, fixPath: '/' });
    await expect(sender.agent.trpc.campaigns.send.mutate({ id: draft.id })).rejects.toMatchObject(refusal(reason));
    await expect(sender.agent.trpc.campaigns.resume.mutate({ id: campaignId })).rejects.toMatchObject(refusal(reason));

    // Only a signed-in owner may lift it.
    const member = await memberOf(sender);
    await expect(member.trpc.reputation.resume.mutate()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' }, message: expect.stringMatching(/Only an owner/) });
    const { key } = await sender.agent.trpc.apiKeys.create.mutate({ name: 'ci' });
    await expect(agent(h.herald.url, { bearer: key, origin: null }).trpc.reputation.resume.mutate()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await statusOf(campaignId)).toBe('paused');

    // The owner cleans the list (suppresses the bouncing addresses still queued), waits for the last events, and resumes.
    const queuedBounces = await sql()<{ to: string }[]>`
      select to_address as to from messages where campaign_id = ${campaignId} and status = 'queued' and to_address like 'bounce+%'`;
    for (const { to } of queuedBounces) await sender.agent.trpc.suppressions.add.mutate({ email: to });
    await eventsSettled();
    const resumed = await sender.agent.trpc.reputation.resume.mutate();
    expect(resumed).toMatchObject({ state: 'ok', reason: null, sends: 0, resumedAt: expect.any(String) });
    expect(await storedReputation(sender.tenantId)).toMatchObject({ state: 'ok', resumedBy: (await sender.agent.trpc.auth.me.query())?.user.id });
    await expect(sender.agent.trpc.reputation.resume.mutate()).rejects.toMatchObject({ data: { code: 'CONFLICT' } });

    await waitStatus(campaignId, 'sent', 60_000);
    await eventsSettled();
    expect(await sender.agent.trpc.reputation.get.query()).toMatchObject({ state: 'ok' });
    const [final] = await sql()<{ queued: number; bounced: number; suppressed: number }[]>`
      select count(*) filter (where status in ('queued', 'sending'))::int as queued, count(*) filter (where status = 'bounced')::int as bounced,
        count(*) filter (where status = 'suppressed')::int as suppressed
      from messages where campaign_id = ${campaignId}`;
    expect(final).toEqual({ queued: 0, bounced: 40 - queuedBounces.length, suppressed: queuedBounces.length });
  });
});

describe('between 2 % and 5 % hard bounces', () => {
  it('warns, says where Herald would pause, and keeps sending; the dashboard counts the same', { timeout: 60_000 }, async () => {
    const sender = await readySender(h.herald, h.sim, eventAccount(), 'Careful');
    const good = await sendTo(sender, await audience(sender, 'careful', 100, null), 'Clean list');
    await waitStatus(good, 'sent');
    await eventsSettled();
    expect(await sender.agent.trpc.reputation.get.query()).toMatchObject({ state: 'ok', sends: 100, bounces: 0, bounceRate: 0, reason: null });

    const bouncing = await sendTo(sender, await audience(sender, 'stale', 3, 1), 'Old addresses');
    await waitStatus(bouncing, 'sent');
    await eventsSettled();
    const seen = await sender.agent.trpc.reputation.get.query();
    expect(seen).toMatchObject({ state: 'warning', sends: 103, bounces: 3, complaints: 0, bounceRate: 3 / 103, complaintRate: 0 });
    expect(seen.reason).toBe('Bounce rate 2.9 % over the last 103 sends is above 2 % (Herald pauses sending at 5 %). Remove addresses that bounce or complain before your next campaign.');
    expect(await storedReputation(sender.tenantId)).toMatchObject({ state: 'warning', pausedAt: null });
    expect(await statusOf(bouncing)).toBe('sent');

    const summary = await sender.agent.trpc.dashboard.summary.query();
    const today = new Date().toISOString().slice(0, 10);
    expect(summary.days).toHaveLength(30);
    expect(summary.days.at(-1)).toEqual({ day: today, sent: 103, delivered: 100, bounced: 3, complained: 0 });
    expect(summary.days.slice(0, -1).every((d) => d.sent === 0)).toBe(true);
    expect(summary.totals).toEqual({ sent: 103, delivered: 100, bounced: 3, complained: 0 });
    expect(summary.rates).toEqual({ delivery: 100 / 103, bounce: 3 / 103, complaint: 0 });
    expect(summary.reputation).toMatchObject({ state: 'warning', sends: 103 });
    expect(summary.inFlight).toEqual([]);
    expect(summary.ses).toEqual({ connected: true, region: 'us-east-1', senderEmail: 'news@sender.test', lastError: null });
  });
});

describe('below the minimum sample', () => {
  it('judges nothing, however many of the few sends bounce', { timeout: 60_000 }, async () => {
    const sender = await readySender(h.herald, h.sim, eventAccount(), 'Tiny');
    const campaignId = await sendTo(sender, await audience(sender, 'tiny', MIN_SENDS - 1, 1), 'All bounce');
    await waitStatus(campaignId, 'sent');
    await eventsSettled();
    expect(await sender.agent.trpc.reputation.get.query()).toMatchObject({ state: 'ok', sends: MIN_SENDS - 1, bounces: MIN_SENDS - 1, bounceRate: 1, reason: null });
    expect(await storedReputation(sender.tenantId)).toMatchObject({ state: 'ok' });
    await expect(sender.agent.trpc.reputation.resume.mutate()).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });
});
