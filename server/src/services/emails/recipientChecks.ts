import type { Sql } from 'postgres';

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
 * Why each refused recipient may not get the email: an address on the
 * tenant's suppression list, or a contact who unsubscribed, bounced or
 * complained. One query for all of them. Transactional emails honour the
 * same list as campaigns: an address that bounced hurts the account's
 * reputation whatever the email is.
 */
export async function refusedRecipients(sql: Sql, tenantId: string, addresses: string[]): Promise<Map<string, string>> {
  const rows = await sql<{ address: string; reason: string }[]>`
    select a.address, coalesce(s.reason::text, c.status::text) as reason
    from unnest(${addresses}::text[]) as a(address)
    left join suppressions s on s.tenant_id = ${tenantId} and s.email = a.address
    left join contacts c on c.tenant_id = ${tenantId} and c.email = a.address and c.status <> 'subscribed'
    where s.email is not null or c.id is not null`;
  return new Map(rows.map((r) => [r.address, REASONS[r.reason] ?? `Suppressed (${r.reason}).`]));
}
