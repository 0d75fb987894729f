import type { Sql } from 'postgres';
import type { Tenant } from '../event-tenant.js';
import type { FireResult } from '../webhook-client.js';
import type { Message } from './campaign.js';
import type { Stranded } from './drain.js';
import { expectations } from './events.js';

/**
 * What must hold after a run: one message_events row per SNS MessageId sent,
 * all `applied`; message statuses, open and click counts, suppressions and
 * contact statuses as the plan says. Also when processing ended (epoch ms).
 */
export async function checkRun(
  sql: Sql,
  run: { tenant: Tenant; tag: string; campaignId: string; messages: Message[]; ids: string[]; fire: FireResult; stranded: Stranded | null },
): Promise<{ problems: string[]; lastProcessed: number }> {
  const { tenant, tag, campaignId, messages, ids, fire, stranded } = run;
  const [stored] = await sql<{ n: number; applied: number; lastProcessed: number | null }[]>`
    select count(*)::int as n, count(*) filter (where state = 'applied')::int as applied,
      extract(epoch from max(processed_at))::float8 * 1000 as "lastProcessed"
    from message_events where sns_message_id = any(${ids})`;
  const problems: string[] = [];
  const non200 = Object.entries(fire.statuses).filter(([s]) => s !== '200');
  if (non200.length > 0) problems.push(`non-200 answers ${JSON.stringify(Object.fromEntries(non200))}: ${fire.refusals.join(' | ')}`);
  if (stored!.n !== new Set(ids).size) problems.push(`${stored!.n} message_events rows for ${new Set(ids).size} SNS MessageIds sent`);
  if (stored!.applied !== stored!.n) problems.push(`${stored!.n - stored!.applied} events not applied`);
  if (stranded) {
    problems.push(
      `${stranded.events} event(s) of shard(s) ${stranded.shards.join(', ')} stayed pending, their number unchanged for 2 s; ` +
        `applied once a job was added for their shard(s): ${stored!.applied === stored!.n ? 'yes' : 'NO'}`,
    );
  }
  const expected = expectations(messages);
  const statusRows = await sql<{ status: string; n: number; opens: number; clicks: number }[]>`
    select status, count(*)::int as n, sum(open_count)::int as opens, sum(click_count)::int as clicks from messages where campaign_id = ${campaignId} group by status`;
  const statuses = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
  const opens = statusRows.reduce((a, r) => a + r.opens, 0);
  const clicks = statusRows.reduce((a, r) => a + r.clicks, 0);
  if (JSON.stringify(Object.entries(statuses).sort()) !== JSON.stringify(Object.entries(expected.statuses).sort())) {
    problems.push(`message statuses ${JSON.stringify(statuses)}, expected ${JSON.stringify(expected.statuses)}`);
  }
  if (opens !== expected.opens || clicks !== expected.clicks) problems.push(`open/click counts ${opens}/${clicks}, expected ${expected.opens}/${expected.clicks}`);
  const [side] = await sql<{ suppressed: number; marked: number }[]>`
    select (select count(*)::int from suppressions where tenant_id = ${tenant.tenantId} and email like ${`${tag}-%`}) as suppressed,
      (select count(*)::int from contacts where tenant_id = ${tenant.tenantId} and email like ${`${tag}-%`} and status in ('bounced', 'complained')) as marked`;
  if (side!.suppressed !== expected.suppressed || side!.marked !== expected.suppressed) {
    problems.push(`${side!.suppressed} suppressions and ${side!.marked} contacts marked, expected ${expected.suppressed} each`);
  }
  // With stranded events, the drain ends where processing stopped by itself.
  const lastProcessed = stranded?.lastProcessed ?? stored!.lastProcessed ?? Date.now();
  return { problems, lastProcessed };
}
