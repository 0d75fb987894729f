import { and, eq, sql } from 'drizzle-orm';
import { contacts, suppressions } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import type { UnsubscribeClaims } from './unsubscribeTokens.js';

export type UnsubscribeTarget = { email: string; companyName: string | null; alreadyUnsubscribed: boolean };

/** The contact a verified token names, if it still exists in that tenant. */
export async function findUnsubscribeTarget(deps: Deps, claims: UnsubscribeClaims): Promise<UnsubscribeTarget | null> {
  const [row] = await deps.sql<{ email: string; status: string; company_name: string | null; tenant_name: string }[]>`
    select c.email, c.status, t.company_name, t.name as tenant_name
    from contacts c join tenants t on t.id = c.tenant_id
    where c.id = ${claims.contactId} and c.tenant_id = ${claims.tenantId}`;
  if (!row) return null;
  return { email: row.email, companyName: row.company_name ?? row.tenant_name, alreadyUnsubscribed: row.status !== 'subscribed' };
}

/**
 * Unsubscribes the contact and suppresses the address (reason unsubscribe,
 * source the campaign). Idempotent: a second click changes nothing.
 * A bounced or complained contact keeps that stronger status.
 */
export async function unsubscribe(deps: Deps, claims: UnsubscribeClaims): Promise<UnsubscribeTarget | null> {
  const target = await findUnsubscribeTarget(deps, claims);
  if (!target) return null;
  await deps.db.transaction(async (tx) => {
    await tx
      .update(contacts)
      .set({ status: 'unsubscribed', updatedAt: sql`now()` })
      .where(and(eq(contacts.id, claims.contactId), eq(contacts.tenantId, claims.tenantId), eq(contacts.status, 'subscribed')));
    await tx
      .insert(suppressions)
      .values({ tenantId: claims.tenantId, email: target.email, reason: 'unsubscribe', source: claims.campaignId ? `campaign ${claims.campaignId}` : 'unsubscribe link' })
      .onConflictDoNothing();
  });
  deps.logger.info({ tenantId: claims.tenantId, contactId: claims.contactId, campaignId: claims.campaignId }, 'contact unsubscribed');
  return { ...target, alreadyUnsubscribed: true };
}
