import type { Deps } from '../../deps.js';

/** Contacts sampled: enough to see every key an import or form sets, few enough to answer in milliseconds at any size. */
const SAMPLE = 5_000;
const MAX_NAMES = 500;

/**
 * The attribute names the builder offers. Exact distinct keys would read
 * every contact's jsonb (a million rows is seconds); instead the first
 * 5,000 contacts in email order, read along the (tenant_id, email) index,
 * give the keys any sizeable share of contacts carries: contacts from
 * different imports and forms interleave by email. A rarer key can still be
 * typed by hand.
 */
export async function attributeNames(deps: Deps, tenantId: string): Promise<{ names: string[] }> {
  const rows = await deps.sql<{ name: string }[]>`
    select distinct k.name
    from (select attributes from contacts where tenant_id = ${tenantId} and jsonb_typeof(attributes) = 'object' order by email limit ${SAMPLE}) sample,
      jsonb_object_keys(sample.attributes) as k(name)
    order by k.name limit ${MAX_NAMES}`;
  return { names: rows.map((r) => r.name) };
}
