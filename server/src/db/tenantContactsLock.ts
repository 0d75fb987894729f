import type { TransactionSql } from 'postgres';

/**
 * `messages.contact_id` has no foreign key (migration 0019): its per-row check
 * was the largest cost of a fan-out. What the key's ON DELETE SET NULL and its
 * row lock guaranteed is kept with one transaction-scoped advisory lock per
 * tenant: fan-out chunks hold it shared, a contact deletion holds it alone. So
 * a deletion waits for the chunks in flight (which then see its contact gone)
 * and nulls every message that names the contact; no message ever names a
 * contact that does not exist.
 */
const lockKey = (tenantId: string) => `contacts-of:${tenantId}`;

export async function holdContactsForFanOut(tx: TransactionSql, tenantId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock_shared(hashtextextended(${lockKey(tenantId)}, 0))`;
}

export async function lockContactsForDeletion(tx: TransactionSql, tenantId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${lockKey(tenantId)}, 0))`;
}
