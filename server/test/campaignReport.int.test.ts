import Papa from 'papaparse';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_LINK_LENGTH } from '../src/events/eventEffects.js';
import { campaignInput, readySender, seedContacts, simAccount, type Sender } from './sendingHelpers.js';
import { at, deliver, notification, useHarness } from './sesEventHelpers.js';
import { awsExample, type ExampleName } from './snsHelpers.js';

/**
 * The campaign report through the real app: a campaign sent through the SES
 * simulator (two recipients refused by SES, one suppressed), SES events in
 * through the signed webhook, then the time chart, per-link clicks,
 * recipients table, CSV export and "Resend to failed" as a client sees them.
 */
const h = useHarness();
let alpha: Sender;
let beta: Sender;
let account: ReturnType<typeof simAccount>;
/** Alpha's main campaign: report-00001..5 sent, 6 and 7 refused by SES (failed), 8 suppressed. */
let campaignId: string;
let byAddress: Map<string, Msg>;
/** The earliest send of the campaign: every event is timed from it. */
let base: number;

type Msg = { id: string; to: string; providerId: string | null; status: string };
const address = (prefix: string, i: number) => `${prefix}-${String(i).padStart(5, '0')}@inbox.test`;
const msg = (i: number) => byAddress.get(address('report', i)) as Msg;
const sql = () => h.herald.deps.sql;

function setRejected(recipients: string[]) {
  const current = h.sim.state.findAccount(account.accessKeyId);
  if (!current) throw new Error('simulator account gone');
  h.sim.state.putAccount({ ...current, failures: { ...current.failures, rejectRecipients: recipients } });
}

const campaignStatus = async (id: string) => (await alpha.agent.trpc.campaigns.get.query({ id })).status;
const waitSent = (id: string) => vi.waitFor(async () => expect(await campaignStatus(id)).toBe('sent'), { timeout: 30_000, interval: 100 });

async function messagesOf(id: string): Promise<Map<string, Msg>> {
  const rows = await sql()<Msg[]>`
    select id, to_address as "to", provider_message_id as "providerId", status from messages where campaign_id = ${id} order by to_address`;
  return new Map(rows.map((r) => [r.to, r]));
}

/** `count` fresh contacts on a list of their own, a campaign to them sent until it is `sent`. */
async function sendToNewList(prefix: string, count: number): Promise<string> {
  const { id: listId } = await alpha.agent.trpc.lists.create.mutate({ name: `List ${prefix}` });
  await seedContacts(sql(), { ...alpha, listId }, count, prefix);
  const { id } = await alpha.agent.trpc.campaigns.create.mutate(campaignInput(listId));
  await alpha.agent.trpc.campaigns.send.mutate({ id });
  await waitSent(id);
  return id;
}

const DETAIL: Partial<Record<ExampleName, string>> = { delivery: 'delivery', open: 'open', click: 'click', bounce: 'bounce' };
/** An SES event about message `m`, `after` seconds after the campaign's first send, on Alpha's topic. */
function event(name: ExampleName, m: Msg, after: number, link?: string): Record<string, unknown> {
  const e = awsExample(name, { sesMessageId: m.providerId as string, accountId: alpha.accountId, recipients: [m.to], timestamp: new Date(base).toISOString() });
  const detail = DETAIL[name];
  if (detail) at(e, detail, new Date(base + after * 1000).toISOString());
  if (link) (e.click as Record<string, unknown>).link = link;
  return e;
}
const on = (e: Record<string, unknown>) => notification(h, alpha.accountId, e);

const LINK_A = 'https://shop.example/autumn?utm_source=herald';
const LINK_B = 'https://shop.example/boots';
const LONG_LINK = `https://shop.example/long?q=${'x'.repeat(3000)}`;

beforeAll(async () => {
  account = simAccount({ failures: { rejectRecipients: [address('report', 6), address('report', 7)] } });
  alpha = await readySender(h.herald, h.sim, account, 'Alpha');
  beta = await readySender(h.herald, h.sim, simAccount(), 'Beta');
  await seedContacts(sql(), alpha, 8, 'report');
  await alpha.agent.trpc.suppressions.add.mutate({ email: address('report', 8) });
  ({ id: campaignId } = await alpha.agent.trpc.campaigns.create.mutate(campaignInput(alpha.listId)));
  await alpha.agent.trpc.campaigns.send.mutate({ id: campaignId });
  await waitSent(campaignId);
  byAddress = await messagesOf(campaignId);
  const [first] = await sql()<{ at: string }[]>`select min(sent_at) as at from messages where campaign_id = ${campaignId}`;
  base = new Date(first?.at as string).getTime();

  const m1 = msg(1);
  const m2 = msg(2);
  const duplicated = on(event('click', m2, 300, LINK_A));
  await deliver(h, [
    on(event('delivery', m1, 10)), on(event('open', m1, 60)),
    on(event('click', m1, 120, LINK_A)), on(event('click', m1, 180, LINK_A)), on(event('click', m1, 200, LINK_B)),
    // SNS delivers at least once: the same notification twice is one click.
    on(event('delivery', m2, 10)), duplicated, duplicated,
    on(event('bounce', msg(3), 20)),
    // Three hours later: the chart needs 5-minute buckets to show that span.
    on(event('delivery', msg(4), 10)), on(event('click', msg(4), 3 * 3600, LONG_LINK)),
  ]);
}, 90_000);

describe('the send itself', () => {
  it('went out to five, SES refused two, one was suppressed', () => {
    expect([...byAddress.values()].map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'failed', 'failed', 'suppressed']);
  });
});

describe('campaigns.report.links', () => {
  it('counts every click and each recipient once per link, a duplicate SNS delivery once, long links capped', async () => {
    expect(await alpha.agent.trpc.campaigns.report.links.query({ id: campaignId })).toEqual([
      { url: LINK_A, clicks: 3, recipients: 2 },
      { url: LINK_B, clicks: 1, recipients: 1 },
      { url: LONG_LINK.slice(0, MAX_LINK_LENGTH), clicks: 1, recipients: 1 },
    ]);
    const [m1] = await sql()`select click_count from messages where id = ${msg(1).id}`;
    expect(m1?.click_count).toBe(3);
  });

  it('is empty for a campaign nobody clicked', async () => {
    const { id } = await alpha.agent.trpc.campaigns.create.mutate(campaignInput(alpha.listId));
    expect(await alpha.agent.trpc.campaigns.report.links.query({ id })).toEqual([]);
    expect(await alpha.agent.trpc.campaigns.report.timeline.query({ id })).toEqual({ bucketSeconds: 60, points: [] });
  });
});

describe('campaigns.report.timeline', () => {
  it('sums to the campaign counters, in contiguous buckets sized for the span', async () => {
    const { bucketSeconds, points } = await alpha.agent.trpc.campaigns.report.timeline.query({ id: campaignId });
    // A span of three hours does not fit 120 one-minute points; five-minute buckets do.
    expect(bucketSeconds).toBe(300);
    expect(points.length).toBeGreaterThanOrEqual(36);
    expect(points.length).toBeLessThanOrEqual(120);
    for (const [i, p] of points.entries()) {
      expect(Date.parse(p.at) % (bucketSeconds * 1000)).toBe(0);
      if (i > 0) expect(Date.parse(p.at) - Date.parse(points[i - 1]?.at as string)).toBe(bucketSeconds * 1000);
    }
    const sum = (metric: 'sent' | 'delivered' | 'opened' | 'clicked') => points.reduce((n, p) => n + p[metric], 0);
    const counters = Object.fromEntries(
      (await sql()<{ metric: string; n: number }[]>`select metric, sum(count)::int as n from campaign_counters where campaign_id = ${campaignId} group by metric`).map((r) => [r.metric, r.n]),
    );
    expect({ sent: sum('sent'), delivered: sum('delivered'), opened: sum('opened'), clicked: sum('clicked') }).toEqual({
      sent: counters.sent, delivered: counters.delivered, opened: counters.opened, clicked: counters.clicked,
    });
    // Five sent; delivered: 1, 2 and 4; a click counts as an open.
    expect(counters).toMatchObject({ sent: 5, delivered: 3, opened: 3, clicked: 3 });
    // The late click is the last point; the first bucket holds the sends.
    expect(points.at(-1)).toMatchObject({ clicked: 1, delivered: 0 });
    expect(points[0]?.sent).toBeGreaterThan(0);
  });
});

describe('campaigns.report.recipients', () => {
  it('pages through every recipient by id, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId, limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...byAddress.values()].map((m) => m.id).sort());
  });

  it('shows each one’s last event and what went wrong', async () => {
    const { items } = await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId });
    const of = (i: number) => items.find((r) => r.id === msg(i).id);
    const when = (after: number) => new Date(base + after * 1000).toISOString();
    expect(of(1)).toMatchObject({ email: address('report', 1), status: 'clicked', lastEvent: { type: 'Click', at: when(200) }, error: null, sentAt: new Date(base).toISOString() });
    expect(of(2)).toMatchObject({ status: 'clicked', lastEvent: { type: 'Click', at: when(300) }, error: null });
    expect(of(3)).toMatchObject({ status: 'bounced', lastEvent: { type: 'Bounce', at: when(20) }, error: 'Bounced (Permanent)' });
    expect(of(5)).toMatchObject({ status: 'sent', lastEvent: null, error: null, sentAt: expect.any(String) });
    expect(of(6)).toMatchObject({ status: 'failed', lastEvent: null, sentAt: null, error: expect.stringContaining('Illegal address') });
    expect(of(8)).toMatchObject({ status: 'suppressed', lastEvent: null, sentAt: null, error: 'suppressed: manual', contactId: expect.any(String) });
  });

  it('filters by status, paging within it', async () => {
    const first = await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId, status: 'failed', limit: 1 });
    expect(first.items.map((r) => r.email)).toHaveLength(1);
    expect(first.nextCursor).toBe(first.items[0]?.id);
    const second = await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId, status: 'failed', limit: 1, cursor: first.nextCursor as string });
    expect([...first.items, ...second.items].map((r) => r.email).sort()).toEqual([address('report', 6), address('report', 7)]);
    expect(second.nextCursor).toBeNull();
    expect((await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId, status: 'bounced' })).items.map((r) => r.email)).toEqual([address('report', 3)]);
    expect(await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId, status: 'unknown' })).toEqual({ items: [], nextCursor: null });
  });

  it('answers BAD_REQUEST with a clear message for bad input', async () => {
    const bad = (input: unknown) => alpha.agent.trpc.campaigns.report.recipients.query(input as never);
    await expect(bad({ id: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'id: Expected an id (a UUID).' });
    await expect(bad({ id: campaignId, status: 'lost' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/^status: Unknown status: use one of queued, sending, sent/) });
    await expect(bad({ id: campaignId, limit: 0 })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'limit: A page holds at least 1 recipient.' });
    await expect(bad({ id: campaignId, limit: 1000 })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'limit: A page holds at most 200 recipients.' });
    await expect(bad({ id: campaignId, cursor: 'page-2' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'cursor: Expected the nextCursor of a previous page.' });
    await expect(alpha.agent.trpc.campaigns.report.timeline.query({ id: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: 'id: Expected an id (a UUID).' });
  });

  it("another tenant's campaign is NOT_FOUND for every report procedure", async () => {
    const notFound = { data: { code: 'NOT_FOUND' }, message: 'No campaign with this id.' };
    await expect(beta.agent.trpc.campaigns.report.timeline.query({ id: campaignId })).rejects.toMatchObject(notFound);
    await expect(beta.agent.trpc.campaigns.report.links.query({ id: campaignId })).rejects.toMatchObject(notFound);
    await expect(beta.agent.trpc.campaigns.report.recipients.query({ id: campaignId })).rejects.toMatchObject(notFound);
    await expect(beta.agent.trpc.campaigns.report.resendFailed.mutate({ id: campaignId })).rejects.toMatchObject(notFound);
  });
});

describe('GET /api/campaigns/:id/recipients.csv', () => {
  const csvUrl = (id: string, query = '') => `${h.herald.url}/api/campaigns/${id}/recipients.csv${query}`;
  const cookieOf = (s: Sender) => ({ cookie: s.agent.cookie ?? '' });
  const rowsOf = (text: string) => Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;

  it('streams every recipient with status, last event, error and send time, as the table shows them', async () => {
    const res = await fetch(csvUrl(campaignId), { headers: cookieOf(alpha) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Autumn_news-recipients.csv"; filename*=UTF-8''Autumn%20news-recipients.csv`);
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('email,status,last_event,last_event_at,error,sent_at');
    const { items } = await alpha.agent.trpc.campaigns.report.recipients.query({ id: campaignId });
    expect(rowsOf(text)).toEqual(items.map((r) => ({
      email: r.email, status: r.status, last_event: r.lastEvent?.type ?? '', last_event_at: r.lastEvent?.at ?? '', error: r.error ?? '', sent_at: r.sentAt ?? '',
    })));
  });

  it('filters by status, with an API key too', async () => {
    const { key } = await alpha.agent.trpc.apiKeys.create.mutate({ name: 'export' });
    const res = await fetch(csvUrl(campaignId, '?status=failed'), { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('filename="Autumn_news-failed-recipients.csv"');
    // In message id order, like the table.
    const failed = [msg(6), msg(7)].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(rowsOf(await res.text()).map((r) => [r.email, r.status])).toEqual(failed.map((m) => [m.to, 'failed']));
  });

  it('reads past one 5,000-row page', async () => {
    const { id } = await alpha.agent.trpc.campaigns.create.mutate({ ...campaignInput(alpha.listId), name: 'Big één' });
    await sql()`
      insert into messages (tenant_id, campaign_id, to_address, status)
      select ${alpha.tenantId}, ${id}, 'bulk-' || lpad(i::text, 5, '0') || '@inbox.test', 'queued' from generate_series(1, 5001) i`;
    const res = await fetch(csvUrl(id), { headers: cookieOf(alpha) });
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Big_n-recipients.csv"; filename*=UTF-8''Big%20%C3%A9%C3%A9n-recipients.csv`);
    const rows = rowsOf(await res.text());
    expect(rows).toHaveLength(5001);
    expect(new Set(rows.map((r) => r.email)).size).toBe(5001);
    expect(rows.every((r) => r.status === 'queued')).toBe(true);
  });

  it('refuses anonymous callers (401), other tenants (404) and unknown statuses (400)', async () => {
    expect((await fetch(csvUrl(campaignId))).status).toBe(401);
    const foreign = await fetch(csvUrl(campaignId), { headers: cookieOf(beta) });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No campaign with this id.' } });
    const badStatus = await fetch(csvUrl(campaignId, '?status=lost'), { headers: cookieOf(alpha) });
    expect(badStatus.status).toBe(400);
    expect(await badStatus.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^status: Unknown status: use one of queued/) } });
    const badId = await fetch(csvUrl('nope'), { headers: cookieOf(alpha) });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error: { message: 'Expected a campaign id (a UUID).' } });
  });
});

describe('campaigns.report.resendFailed', () => {
  it('refuses a draft, and a campaign where nothing failed', async () => {
    const { id: draft } = await alpha.agent.trpc.campaigns.create.mutate(campaignInput(alpha.listId));
    await expect(alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: draft })).rejects.toMatchObject({
      data: { code: 'CONFLICT' }, message: 'Failed messages can be resent once the campaign has finished sending, or while it is paused; this campaign is still a draft.',
    });
    const clean = await sendToNewList('clean', 1);
    await expect(alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: clean })).rejects.toMatchObject({
      data: { code: 'CONFLICT' }, message: 'Nothing to resend: no message of this campaign failed.',
    });
  });

  it('sends the failed messages again, skips a recipient suppressed since, and never resends a delivered one', async () => {
    setRejected([]);
    await alpha.agent.trpc.suppressions.add.mutate({ email: address('report', 7) });
    const acceptedBefore = h.sim.state.messagesOf(alpha.accountId).length;

    expect(await alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: campaignId })).toEqual({ requeued: 1 });
    await waitSent(campaignId);

    const accepted = h.sim.state.messagesOf(alpha.accountId).slice(acceptedBefore).flatMap((m) => m.destinations);
    expect(accepted).toEqual([address('report', 6)]);
    const all = h.sim.state.messagesOf(alpha.accountId).flatMap((m) => m.destinations).filter((d) => d.startsWith('report-'));
    expect(all.sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => address('report', i)));

    const after = await messagesOf(campaignId);
    const six = after.get(address('report', 6)) as Msg;
    expect(six).toMatchObject({ status: 'sent', providerId: expect.any(String) });
    const [seven] = await sql()`select status, last_error from messages where id = ${msg(7).id}`;
    expect(seven).toMatchObject({ status: 'failed', last_error: expect.stringContaining('Illegal address') });

    // The resent message's events arrive like any other.
    await deliver(h, [on(event('delivery', six, 600))]);
    const metrics = await alpha.agent.trpc.campaigns.metrics.query({ id: campaignId });
    expect(metrics.counts).toMatchObject({ recipients: 8, sent: 6, delivered: 4, bounced: 1, failed: 1, suppressed: 1, queued: 0 });
    expect(metrics.status).toBe('sent');

    await expect(alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: campaignId })).rejects.toMatchObject({
      data: { code: 'CONFLICT' }, message: 'Nothing to resend: every recipient whose message failed has since been suppressed, unsubscribed or deleted.',
    });
  });

  it('resumes a paused campaign with its failed messages', async () => {
    setRejected([address('paused', 2)]);
    const id = await sendToNewList('paused', 2);
    setRejected([]);
    // Paused after its last send (by hand or by Herald): nothing queued, one failed.
    await sql()`update campaigns set status = 'paused', paused_reason = 'Paused for the test.' where id = ${id}`;
    expect(await alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id })).toEqual({ requeued: 1 });
    await waitSent(id);
    const sentTo = h.sim.state.messagesOf(alpha.accountId).flatMap((m) => m.destinations).filter((d) => d.startsWith('paused-'));
    expect(sentTo.sort()).toEqual([address('paused', 1), address('paused', 2)]);
    expect((await alpha.agent.trpc.campaigns.get.query({ id })).pausedReason).toBeNull();
  });

  it('is held by the reputation guard like send and resume', async () => {
    const [before] = await sql()<{ state: string; reason: string | null }[]>`select state, reason from tenant_reputation where tenant_id = ${alpha.tenantId}`;
    await sql()`insert into tenant_reputation (tenant_id, state, reason) values (${alpha.tenantId}, 'paused', 'Bounce rate 9% over the last 1,000 sends.')
      on conflict (tenant_id) do update set state = excluded.state, reason = excluded.reason`;
    await expect(alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: campaignId })).rejects.toMatchObject({
      message: 'Sending is paused by the reputation guard: Bounce rate 9% over the last 1,000 sends.',
      data: { code: 'PRECONDITION_FAILED', details: { problem: 'REPUTATION_PAUSED' } },
    });
    await sql()`update tenant_reputation set state = ${before?.state ?? 'ok'}, reason = ${before?.reason ?? null} where tenant_id = ${alpha.tenantId}`;
    expect(await campaignStatus(campaignId)).toBe('sent');
  });

  it('needs SES connected', async () => {
    await alpha.agent.trpc.channels.email.disconnect.mutate();
    await expect(alpha.agent.trpc.campaigns.report.resendFailed.mutate({ id: campaignId })).rejects.toMatchObject({
      data: { code: 'PRECONDITION_FAILED', details: { fixPath: '/settings/channels' } },
    });
  });
});
