import type { Sql } from 'postgres';
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

/**
 * Why each refused recipient may not get the email (an address on the
 * tenant's suppression list, or a contact who unsubscribed, bounced or
 * complained), and whether the tenant's sending is paused: one query for
 * both. Transactional emails honour the same list as campaigns: an address
 * that bounced hurts the account's reputation whatever the email is.
 */
export async function acceptanceChecks(sql: Sql, tenantId: string, addresses: string[]): Promise<{ refused: Map<string, string>; hold: Hold | null }> {
  const [row] = await sql<(HoldFacts & { refused: { address: string; reason: string }[] })[]>`
    select ${holdColumns(sql, tenantId)},
      (select coalesce(json_agg(json_build_object('address', a.address, 'reason', coalesce(s.reason::text, ct.status::text))), '[]')
       from unnest(${addresses}::text[]) as a(address)
       left join suppressions s on s.tenant_id = ${tenantId} and s.email = a.address
       left join contacts ct on ct.tenant_id = ${tenantId} and ct.email = a.address and ct.status <> 'subscribed'
       where s.email is not null or ct.id is not null) as refused
    from (select 1) one left join tenant_channel_settings c on c.tenant_id = ${tenantId} and c.channel = 'email'`;
  return {
    refused: new Map((row?.refused ?? []).map((r) => [r.address, REASONS[r.reason] ?? `Suppressed (${r.reason}).`])),
    hold: holdOf(row),
  };
}
