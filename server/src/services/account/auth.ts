import { eq, sql } from 'drizzle-orm';
import { memberships, tenants, users } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { normalizeEmail } from '../emailAddress.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { createSession, type SessionPrincipal } from './sessions.js';

export type AccountView = {
  user: { id: string; email: string };
  tenant: { id: string; name: string };
  role: 'owner' | 'member';
};

type SignedIn = AccountView & { session: { token: string; expiresAt: Date } };

/** Creates a tenant, its owner and a session, all or nothing. */
export async function signUp(deps: Deps, input: { email: string; password: string; tenantName: string }): Promise<SignedIn> {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const created = await deps.db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email, passwordHash }).onConflictDoNothing().returning({ id: users.id, email: users.email });
    if (!user) return null;
    const [tenant] = await tx.insert(tenants).values({ name: input.tenantName.trim() }).returning({ id: tenants.id, name: tenants.name });
    if (!tenant) throw new Error('tenant insert returned no row');
    await tx.insert(memberships).values({ tenantId: tenant.id, userId: user.id, role: 'owner' });
    return { user, tenant };
  });
  if (!created) throw new AppError('CONFLICT', 'An account with this email already exists. Sign in instead.');
  const session = await createSession(deps, created.user.id, created.tenant.id);
  deps.logger.info({ userId: created.user.id, tenantId: created.tenant.id }, 'account created');
  return { ...created, role: 'owner', session };
}

const WRONG_CREDENTIALS = 'Email or password is incorrect.';

/**
 * Wrong password and unknown email give the same answer after the same work.
 * A user in several tenants signs in to the one they joined first.
 */
export async function signIn(deps: Deps, input: { email: string; password: string }): Promise<SignedIn> {
  const email = normalizeEmail(input.email);
  const [row] = await deps.db
    .select({ id: users.id, email: users.email, passwordHash: users.passwordHash, tenantId: tenants.id, tenantName: tenants.name, role: memberships.role })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(sql`lower(${users.email}) = ${email}`)
    .orderBy(memberships.createdAt)
    .limit(1);
  if (!row) {
    await verifyAgainstDummy(input.password);
    throw new AppError('UNAUTHORIZED', WRONG_CREDENTIALS);
  }
  if (!(await verifyPassword(row.passwordHash, input.password))) throw new AppError('UNAUTHORIZED', WRONG_CREDENTIALS);
  const session = await createSession(deps, row.id, row.tenantId);
  return {
    user: { id: row.id, email: row.email },
    tenant: { id: row.tenantId, name: row.tenantName },
    role: row.role,
    session,
  };
}

export function accountView(principal: SessionPrincipal): AccountView {
  return { user: principal.user, tenant: principal.tenant, role: principal.role };
}
