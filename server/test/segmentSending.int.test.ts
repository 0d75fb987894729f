import { describe, expect, it, vi } from 'vitest';
import type { SegmentConditions } from '../src/services/segments/conditions.js';
import { campaignInput, readySender, seedContacts, simAccount } from './sendingHelpers.js';
import { useHeraldWithSimulator } from './useHerald.js';

/** A campaign to a segment, from "send" to `sent` through the SES simulator: it reaches exactly the matches. */

const h = useHeraldWithSimulator({ env: { SEND_LEASE_SECONDS: '5', SES_REQUEST_TIMEOUT_MS: '3000' }, roles: { http: true, worker: true } });

describe('sending to a segment', () => {
  it('fans out to exactly the contacts matching when it starts, suppressed ones recorded, and the segment cannot be deleted meanwhile', async () => {
    // A slow account (5/s), so the campaign is still sending when the segment's deletion is tried.
    const sender = await readySender(h.herald, h.sim, simAccount({ maxSendRate: 5 }));
    await seedContacts(h.herald.deps.sql, sender, 40);
    const sql = h.herald.deps.sql;
    // Plans: every third reader is "gold"; one gold reader unsubscribed, one suppressed.
    await sql`update contacts set attributes = jsonb_build_object('plan', case when substr(email, 8, 5)::int % 3 = 0 then 'gold' else 'basic' end) where tenant_id = ${sender.tenantId}`;
    await sql`update contacts set status = 'unsubscribed' where tenant_id = ${sender.tenantId} and email = 'reader-00003@inbox.test'`;
    await sender.agent.trpc.suppressions.add.mutate({ email: 'reader-00006@inbox.test' });
    // Outside the base list: matches the conditions but must not get the email.
    await sql`insert into contacts (tenant_id, email, attributes) values (${sender.tenantId}, 'outsider@inbox.test', '{"plan":"gold"}')`;

    const conditions: SegmentConditions = { match: 'all', conditions: [{ field: 'attribute', name: 'plan', op: 'equals', value: 'gold' }] };
    const segment = await sender.agent.trpc.segments.create.mutate({ name: 'Gold readers', listId: sender.listId, conditions });
    const { id } = await sender.agent.trpc.campaigns.create.mutate({ ...campaignInput(sender.listId), listId: undefined, segmentId: segment.id });
    expect(await sender.agent.trpc.campaigns.sendCheck.query({ id })).toMatchObject({ problems: [], recipients: 11, excluded: 2, segmentName: 'Gold readers' });

    // Joins the segment before the send: the campaign goes to whoever matches when it starts.
    await sql`update contacts set attributes = '{"plan":"gold"}' where tenant_id = ${sender.tenantId} and email = 'reader-00001@inbox.test'`;
    expect((await sender.agent.trpc.campaigns.send.mutate({ id })).status).toBe('sending');
    await expect(sender.agent.trpc.segments.delete.mutate({ id: segment.id })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: expect.stringContaining('“Autumn news”') });

    const done = await vi.waitFor(
      async () => {
        const c = await sender.agent.trpc.campaigns.get.query({ id });
        expect(c.status).toBe('sent');
        return c;
      },
      { timeout: 30_000, interval: 100 },
    );
    const gold = [1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39].map((n) => `reader-${String(n).padStart(5, '0')}@inbox.test`);
    expect(done.counts).toMatchObject({ recipients: gold.length, sent: gold.length - 2, suppressed: 2, queued: 0, failed: 0 });
    const accepted = h.sim.state.messagesOf(sender.accountId).map((m) => m.destinations[0]);
    expect(accepted.sort()).toEqual(gold.filter((e) => e !== 'reader-00003@inbox.test' && e !== 'reader-00006@inbox.test').sort());
    const rows = await sql<{ to: string; reason: string | null }[]>`select to_address as to, suppression_reason as reason from messages where campaign_id = ${id} and status = 'suppressed' order by 1`;
    expect(rows).toEqual([
      { to: 'reader-00003@inbox.test', reason: 'unsubscribed' },
      { to: 'reader-00006@inbox.test', reason: 'suppressed: manual' },
    ]);
    // Once the campaign is done the segment can go; the campaign keeps its record.
    await sender.agent.trpc.segments.delete.mutate({ id: segment.id });
    expect(await sender.agent.trpc.campaigns.get.query({ id })).toMatchObject({ status: 'sent', segmentId: null });
  });
});
