import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SnsEnvelope } from '../src/dev/snsMessages.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import {
  at, deliver, iso, notification, useHarness, sentCampaign, statsOf, waitProcessed, type SentCampaign, type SentMessage,
} from './sesEventHelpers.js';
import { awsExample, postSns, type ExampleName } from './snsHelpers.js';

/**
 * The acceptance: each event delivered 50 times and shuffled ends in
 * the same message, contact, suppression and counter state as each event
 * delivered once, in order. Two tenants send the same campaign to the same
 * 12 addresses, each message with its own mix of events (several of them
 * order-sensitive pairs). Alpha gets every event once, in time order, each
 * processed before the next; Beta gets the same events (retargeted to its
 * messages) 50 times each, all copies shuffled, 16 at a time.
 */
const COPIES = 50;
const CONCURRENCY = 16;

const h = useHarness();
let alpha: Sender;
let beta: Sender;
let sent: Map<Sender, SentCampaign>;
beforeAll(async () => {
  alpha = await readySender(h.herald, h.sim, simAccount(), 'Alpha');
  beta = await readySender(h.herald, h.sim, simAccount(), 'Beta');
  const [a, b] = await Promise.all([sentCampaign(h, alpha, EXTRA.length, 'order'), sentCampaign(h, beta, EXTRA.length, 'order')]);
  sent = new Map([[alpha, a], [beta, b]]);
});

/** An event of message `i`: its kind, its own time as seconds after the mail (null: it has none), a tweak. */
type Planned = { i: number; name: ExampleName; after: number | null; tweak?: (e: Record<string, unknown>) => void };
const transient = (e: Record<string, unknown>) => Object.assign(e.bounce as object, { bounceType: 'Transient', bounceSubType: 'MailboxFull' });
const BASE: Omit<Planned, 'i'>[] = [
  { name: 'send', after: null }, { name: 'delivery-delay', after: 5 }, { name: 'delivery', after: 10 },
  { name: 'open', after: 60 }, { name: 'open', after: 120 }, { name: 'click', after: 180 },
];
const EXTRA: Omit<Planned, 'i'>[][] = [
  [{ name: 'bounce', after: 30, tweak: transient }],
  [{ name: 'bounce', after: 30 }],
  [{ name: 'complaint', after: 300 }],
  [{ name: 'bounce', after: 30, tweak: transient }, { name: 'bounce', after: 90 }],
  [{ name: 'subscription', after: 400 }],
  [{ name: 'reject', after: null }],
  [{ name: 'complaint', after: 300 }, { name: 'bounce', after: 30 }],
  [],
  [{ name: 'bounce', after: 30 }, { name: 'bounce', after: 90, tweak: transient }],
  [{ name: 'subscription', after: 400 }, { name: 'complaint', after: 300 }],
  [{ name: 'subscription', after: 400 }, { name: 'bounce', after: 30 }],
  [{ name: 'bounce', after: 30, tweak: transient }, { name: 'bounce', after: 90 }, { name: 'complaint', after: 300 }],
];
/** What that must come to, per message: status, bounce type, contact status, suppression reason. */
const OUTCOME: [string, string | null, string, string | null][] = [
  ['bounced', 'Transient', 'subscribed', null], ['bounced', 'Permanent', 'bounced', 'bounce'], ['complained', null, 'complained', 'complaint'],
  ['bounced', 'Permanent', 'bounced', 'bounce'], ['clicked', null, 'unsubscribed', null], ['rejected', null, 'subscribed', null],
  ['complained', 'Permanent', 'complained', 'complaint'], ['clicked', null, 'subscribed', null], ['bounced', 'Permanent', 'bounced', 'bounce'],
  ['complained', null, 'complained', 'complaint'], ['bounced', 'Permanent', 'bounced', 'bounce'], ['complained', 'Permanent', 'complained', 'complaint'],
];
const PLAN: Planned[] = EXTRA.flatMap((extra, i) => [...BASE, ...extra].map((p) => ({ ...p, i })));
const DETAIL: Partial<Record<ExampleName, string>> = {
  'delivery-delay': 'deliveryDelay', delivery: 'delivery', open: 'open', click: 'click', bounce: 'bounce', complaint: 'complaint', subscription: 'subscription',
};
const mailTime = (i: number) => Date.UTC(2024, 2, 1, 10 + i);
const occurred = (p: Planned) => mailTime(p.i) + (p.after ?? 0) * 1000;

function eventFor(p: Planned, s: Sender, m: SentMessage): Record<string, unknown> {
  const event = awsExample(p.name, { sesMessageId: m.providerId, accountId: s.accountId, recipients: [m.to], timestamp: new Date(mailTime(p.i)).toISOString() });
  if (p.after !== null) at(event, DETAIL[p.name] as string, new Date(occurred(p)).toISOString());
  p.tweak?.(event);
  return event;
}
const envelopesFor = (s: Sender, plan: Planned[]) => plan.map((p) => notification(h, s.accountId, eventFor(p, s, sent.get(s)?.messages[p.i] as SentMessage), randomUUID()));

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

async function postBounded(envelopes: SnsEnvelope[], limit: number) {
  const answers: { id: string; status: number; message?: string }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < envelopes.length) {
      const e = envelopes[next++] as SnsEnvelope;
      const res = await postSns(h.herald.url, e);
      answers.push({ id: e.MessageId, status: res.status, message: res.json.message });
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return answers;
}

type TimelineRow = { metric: string; bucket: string; n: number };

/** Everything the events decide for a tenant, with ids normalized away (SES ids become the address they went to). */
async function finalState(s: Sender) {
  const { campaignId, messages } = sent.get(s) as SentCampaign;
  const sesIdTo = new Map(messages.map((m) => [`ses:${m.providerId}`, `ses:<${m.to}>`]));
  const rows = await h.herald.deps.sql`
    select to_address, status, sent_at, delivered_at, opened_at, clicked_at, bounced_at, complained_at, rejected_at, bounce_type, open_count, click_count
    from messages where campaign_id = ${campaignId} order by to_address`;
  const times = ['sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'bounced_at', 'complained_at', 'rejected_at'];
  return {
    messages: rows.map((r) => ({ ...r, ...Object.fromEntries(times.map((t) => [t, iso(r[t])])) })),
    contacts: [...(await h.herald.deps.sql`select email, status from contacts where tenant_id = ${s.tenantId} order by email`)],
    suppressions: (await h.herald.deps.sql`select email, reason, source from suppressions where tenant_id = ${s.tenantId} order by email`).map((r) => ({
      ...r, source: sesIdTo.get(r.source as string) ?? r.source,
    })),
    stats: [...(await statsOf(h, campaignId))],
    counters: Object.fromEntries(
      (await h.herald.deps.sql<{ metric: string; n: number }[]>`
        select metric, sum(count)::int as n from campaign_counters where campaign_id = ${campaignId} group by metric having sum(count) <> 0`).map((r) => [r.metric, r.n]),
    ),
    timeline: [...(await h.herald.deps.sql<TimelineRow[]>`
      select metric, bucket, sum(count)::int as n from campaign_timeline where campaign_id = ${campaignId}
      group by metric, bucket having sum(count) <> 0 order by metric, bucket`)].map((r) => ({ ...r, bucket: iso(r.bucket) })),
    // The same, by a full scan of the messages: what the trigger-kept counters must always equal.
    scanned: [...(await h.herald.deps.sql<TimelineRow[]>`
      select t.metric, date_trunc('minute', t.at) as bucket, count(*)::int as n
      from messages m cross join lateral message_milestones(m.sent_at, m.delivered_at, m.opened_at, m.clicked_at, m.bounced_at, m.bounce_type, m.complained_at) t
      where m.campaign_id = ${campaignId} group by 1, 2 order by 1, 2`)].map((r) => ({ ...r, bucket: iso(r.bucket) })),
  };
}

describe('order independence', () => {
  it('50 shuffled copies of every event end in the same state as each event once, in order', async () => {
    // Alpha: each event once, in the order it happened, each processed before the next is posted.
    for (const envelope of envelopesFor(alpha, [...PLAN].sort((a, b) => occurred(a) - occurred(b)))) await deliver(h, [envelope]);

    const betaEnvelopes = envelopesFor(beta, PLAN);
    const answers = await postBounded(shuffle(betaEnvelopes.flatMap((e) => Array.from({ length: COPIES }, () => e))), CONCURRENCY);
    expect(answers).toHaveLength(PLAN.length * COPIES);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Exactly one copy of each SNS message is taken; the rest are acknowledged as redeliveries.
    const accepted = answers.filter((a) => a.message === 'accepted').map((a) => a.id);
    expect(accepted.sort()).toEqual(betaEnvelopes.map((e) => e.MessageId).sort());
    await waitProcessed(h, betaEnvelopes.map((e) => e.MessageId));
    const [events] = await h.herald.deps.sql`
      select count(*)::int as rows, count(distinct sns_message_id)::int as distinct_ids, count(*) filter (where state = 'applied')::int as applied
      from message_events where sns_message_id = any(${betaEnvelopes.map((e) => e.MessageId)})`;
    expect(events).toEqual({ rows: PLAN.length, distinct_ids: PLAN.length, applied: PLAN.length });

    const once = await finalState(alpha);
    expect(await finalState(beta)).toEqual(once);

    // And the common result is the intended one, not merely the same.
    const addr = (i: number) => `order-${String(i + 1).padStart(5, '0')}@inbox.test`;
    expect(once.messages.map((m) => [m.to_address, m.status, m.bounce_type, m.open_count, m.click_count])).toEqual(
      OUTCOME.map(([status, bounceType], i) => [addr(i), status, bounceType, 2, 1]),
    );
    expect(once.messages[3]?.bounced_at).toBe(new Date(mailTime(3) + 30_000).toISOString());
    expect(once.contacts.map((c) => [c.email, c.status])).toEqual(OUTCOME.map(([, , contact], i) => [addr(i), contact]));
    expect(once.suppressions).toEqual(OUTCOME.flatMap(([, , , reason], i) => (reason ? [{ email: addr(i), reason, source: `ses:<${addr(i)}>` }] : [])));
    expect(once.stats).toEqual([{ status: 'bounced', n: 5 }, { status: 'clicked', n: 2 }, { status: 'complained', n: 4 }, { status: 'rejected', n: 1 }]);
    // Milestones count every message that reached them, whatever its status now; the per-minute
    // timeline (moved as bounces arrive out of order) sums to them and matches a scan.
    expect(once.counters).toEqual({ sent: 12, delivered: 12, opened: 12, clicked: 12, bounced_hard: 6, bounced_soft: 1, complained: 4 });
    expect(once.timeline).toEqual(once.scanned);
    for (const [metric, n] of Object.entries(once.counters)) {
      expect(once.timeline.filter((t) => t.metric === metric).reduce((sum, t) => sum + t.n, 0)).toBe(n);
    }
  }, 180_000);
});
