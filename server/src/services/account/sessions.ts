import { and, eq, gt } from 'drizzle-orm';
import { memberships, sessions, tenants, users } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { hashToken, newSecret } from './tokens.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type SessionPrincipal = {
  kind: 'session';
  sessionId: string;
  user: { id: string; email: string };
  tenant: { id: string; name: string };
  role: 'owner' | 'member';
};

export async function createSession(deps: Deps, userId: string, tenantId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(deps.now().getTime() + SESSION_TTL_MS);
  await deps.db.insert(sessions).values({ tokenHash: hashToken(token), userId, tenantId, expiresAt });
  return { token, expiresAt };
}

/** Resolves a cookie token to its user and tenant; expired or unknown tokens resolve to null. */
export async function findSession(deps: Deps, token: string): Promise<SessionPrincipal | null> {
  const [row] = await deps.db
    .select({
      sessionId: sessions.id,
      userId: users.id,
      email: users.email,
      tenantId: tenants.id,
      tenantName: tenants.name,
      role: memberships.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(tenants, eq(tenants.id, sessions.tenantId))
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.tenantId, sessions.tenantId)))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, deps.now())))
    .limit(1);
  if (!row) return null;
  return {
    kind: 'session',
    sessionId: row.sessionId,
    user: { id: row.userId, email: row.email },
    tenant: { id: row.tenantId, name: row.tenantName },
    role: row.role,
  };
}

export async function revokeSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.db.delete(sessions).where(eq(sessions.id, sessionId));
}
