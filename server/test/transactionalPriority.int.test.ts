import { describe, expect, it, vi } from 'vitest';
import { campaignInput, readySender, seedContacts, simAccount } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Transactional emails and a campaign share one tenant's SES rate: the
 * campaign saturates it, 50 transactional emails arrive meanwhile, and they
 * still reach SES quickly while no second ever holds more than the rate.
 */
const h = useHeraldWithSimulator({ roles: { http: true, worker: true } });

const RATE = 14;
const READERS = 300;
const TRANSACTIONAL = 50;
/** 5 a second: a busy service's password resets, well under the rate on their own (at the rate itself they would queue behind each other). */
const TRANSACTIONAL_GAP_MS = 200;

/** The most sends any one-second window [t, t + 1000) holds. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1] as number;

describe('transactional emails under a saturating campaign', () => {
  it(`go first: p95 from acceptance to the SES call ≤ 1 s, and never more than ${RATE} sends in any second`, { timeout: 180_000 }, async () => {
    const sender = await readySender(h.herald, h.sim, simAccount({ maxSendRate: RATE }));
    await seedContacts(h.herald.deps.sql, sender, READERS);
    const { id: campaignId } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
    await sender.agent.trpc.campaigns.send.mutate({ id: campaignId });
    // Let the campaign take the whole rate first.
    await vi.waitFor(() => expect(h.sim.state.messagesOf(sender.accountId).length).toBeGreaterThan(RATE * 2), { timeout: 30_000, interval: 50 });

    const ids: string[] = [];
    for (let i = 0; i < TRANSACTIONAL; i++) {
      const answer = await sender.agent.trpc.emails.send.mutate({ from: 'news@sender.test', to: `t${i}@inbox.test`, subject: 'Your code', text: `Code ${i}` });
      ids.push(answer.id);
      await new Promise((r) => setTimeout(r, TRANSACTIONAL_GAP_MS));
    }
    await vi.waitFor(
      async () => {
        const [row] = await h.herald.deps.sql`select count(*)::int as n from emails where id = any(${ids}::uuid[]) and status = 'sent'`;
        expect(row?.n).toBe(TRANSACTIONAL);
      },
      { timeout: 60_000, interval: 200 },
    );

    // Accepted: the storing transaction's time; the SES call starts right after `sending_at` is set (transactionalSend.ts).
    const timings = await h.herald.deps.sql<{ waitMs: number }[]>`
      select extract(epoch from sending_at - created_at)::float8 * 1000 as "waitMs" from emails where id = any(${ids}::uuid[])`;
    const waits = timings.map((t) => t.waitMs);
    const messages = h.sim.state.messagesOf(sender.accountId);
    expect(messages.filter((m) => m.tags.herald_email)).toHaveLength(TRANSACTIONAL);
    const p95 = percentile(waits, 95);
    console.log(`transactional accept → SES call: p50 ${percentile(waits, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...waits).toFixed(0)} ms; campaign sends meanwhile: ${messages.length - TRANSACTIONAL}`);
    expect(p95).toBeLessThanOrEqual(1000);
    expect(busiestSecond(messages.map((m) => Date.parse(m.acceptedAt)))).toBeLessThanOrEqual(RATE);
  });
});
