import { eq } from 'drizzle-orm';
import { tenants } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';

/** The sender profile printed in every email footer (CAN-SPAM asks for a physical postal address). */
export type SenderProfile = { companyName: string | null; postalAddress: string | null; complete: boolean };

export async function getProfile(deps: Deps, tenantId: string): Promise<SenderProfile> {
  const [row] = await deps.db.select({ companyName: tenants.companyName, postalAddress: tenants.postalAddress }).from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw new AppError('NOT_FOUND', 'Tenant not found.');
  return { ...row, complete: Boolean(row.companyName && row.postalAddress) };
}

export async function updateProfile(deps: Deps, tenantId: string, input: { companyName: string; postalAddress: string }): Promise<SenderProfile> {
  await deps.db.update(tenants).set({ companyName: input.companyName, postalAddress: input.postalAddress }).where(eq(tenants.id, tenantId));
  return getProfile(deps, tenantId);
}
