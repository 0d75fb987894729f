/**
 * The soak's end checks, read from the database, the simulator's record
 * and the load client's list of notifications answered 200.
 */
import { readFileSync } from 'node:fs';
import type { Sql } from 'postgres';
import type { AcceptedMessage } from '../send-procs.js';

/** Sender messages by status; `queued`, `sending` and `unknown` are not terminal. */
export async function senderStatuses(sql: Sql, tenantId: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from messages where tenant_id = ${tenantId} group by status order by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
export const NOT_TERMINAL = ['queued', 'sending', 'unknown'];

/** Herald messages the simulator accepted more than once. */
export function acceptedTwice(accepted: AcceptedMessage[]): number {
  const seen = new Map<string, number>();
  for (const m of accepted) seen.set(m.tags.herald_message ?? '', (seen.get(m.tags.herald_message ?? '') ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

/** The most messages accepted within any one second (a sliding window, as SES counts). */
export function busiestSecond(accepted: AcceptedMessage[]): number {
  const times = accepted.map((m) => Date.parse(m.acceptedAt)).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

export type LoadAudit = { answered: number; missing: number; notApplied: number; openCount: number; clickCount: number };

/**
 * Each notification answered 200 must be stored (its SNS MessageId in
 * message_events) and applied; the messages' open and click counters show
 * each was applied once (compared by the caller with the 200s per type).
 */
export async function auditLoad(sql: Sql, idsFile: string, accountId: string, campaignId: string): Promise<LoadAudit> {
  const answered = new Set(readFileSync(idsFile, 'utf8').split('\n').filter(Boolean));
  let notApplied = 0;
  const stored = new Set<string>();
  await sql<{ id: string; state: string }[]>`select sns_message_id as id, state from message_events where aws_account_id = ${accountId}`.cursor(10_000, (rows) => {
    for (const r of rows) {
      stored.add(r.id);
      if (answered.has(r.id) && r.state !== 'applied') notApplied += 1;
    }
  });
  let missing = 0;
  for (const id of answered) if (!stored.has(id)) missing += 1;
  const [counts] = await sql<{ opens: number; clicks: number }[]>`
    select coalesce(sum(open_count), 0)::int as opens, coalesce(sum(click_count), 0)::int as clicks from messages where campaign_id = ${campaignId}`;
  return { answered: answered.size, missing, notApplied, openCount: counts!.opens, clickCount: counts!.clicks };
}
