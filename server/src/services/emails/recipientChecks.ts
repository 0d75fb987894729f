import type { Sql } from 'postgres';
import { batchedPerClient } from '../../db/batchedPerClient.js';
import { holdColumns, holdOf, type Hold, type HoldFacts } from './sendingHold.js';

export type Recipient = { address: string; kind: 'to' | 'cc' | 'bcc' };

const REASONS: Record<string, string> = {
  bounce: 'Suppressed: this address bounced before.',
  complaint: 'Suppressed: this address marked an earlier email as spam.',
  unsubscribe: 'Suppressed: this address unsubscribed.',
  manual: 'Suppressed: your team added this address to the suppression list.',
  unsubscribed: 'This contact unsubscribed.',
  bounced: 'This contact bounced before.',
  complained: 'This contact marked an earlier email as spam.',
};

/** to, cc and bcc as one list, each address once (the first field it appears in wins), lower-cased. */
export function recipientsOf(to: string[], cc: string[] = [], bcc: string[] = []): Recipient[] {
  const seen = new Set<string>();
  const all: Recipient[] = [];
  for (const [kind, list] of [['to', to], ['cc', cc], ['bcc', bcc]] as const) {
    for (const raw of list) {
      const address = raw.toLowerCase();
      if (!seen.has(address)) all.push({ address, kind });
      seen.add(address);
    }
  }
  return all;
}

type Checks = { refused: Map<string, string>; hold: Hold | null };
type Asked = { tenantId: string; addresses: string[] };

/**
 * Why each refused recipient may not get the email (an address on the
 * tenant's suppression list, or a contact who unsubscribed, bounced or
 * complained), and whether the tenant's sending is paused. Transactional
 * emails honour the same list as campaigns: an address that bounced hurts
 * the account's reputation whatever the email is. Emails accepted at the
 * same moment, of any tenants, share one query (db/batchedPerClient.ts).
 */
export const acceptanceChecks: (sql: Sql, asked: Asked) => Promise<Checks> = batchedPerClient(checkMany, { maxBatch: 200, maxConcurrent: 1 });

/** Each item's checks, every lookup keyed by the item's own tenant. */
async function checkMany(sql: Sql, items: Asked[]): Promise<Checks[]> {
  const asked = items.flatMap((item, i) => item.addresses.map((address) => ({ i, tenant_id: item.tenantId, address })));
  const tenants = [...new Set(items.map((item) => item.tenantId))];
  const [row] = await sql<{ refused: { i: number; address: string; reason: string }[]; holds: (HoldFacts & { tenantId: string })[] }[]>`
    select
      (select coalesce(json_agg(json_build_object('i', a.i, 'address', a.address, 'reason', coalesce(s.reason::text, ct.status::text))), '[]')
       from jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) as a(i int, tenant_id uuid, address text)
       left join suppressions s on s.tenant_id = a.tenant_id and s.email = a.address
       left join contacts ct on ct.tenant_id = a.tenant_id and ct.email = a.address and ct.status <> 'subscribed'
       where s.email is not null or ct.id is not null) as refused,
      (select coalesce(json_agg(h), '[]') from (
         select t.id as "tenantId", ${holdColumns(sql, sql`t.id`)}
         from unnest(${tenants}::uuid[]) as t(id)
         left join tenant_channel_settings c on c.tenant_id = t.id and c.channel = 'email') h) as holds`;
  const holds = new Map((row?.holds ?? []).map((h) => [h.tenantId, holdOf(h)]));
  const checks: Checks[] = items.map((item) => ({ refused: new Map(), hold: holds.get(item.tenantId) ?? null }));
  for (const r of row?.refused ?? []) checks[r.i]?.refused.set(r.address, REASONS[r.reason] ?? `Suppressed (${r.reason}).`);
  return checks;
}
