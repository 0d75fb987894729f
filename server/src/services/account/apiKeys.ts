import { and, desc, eq, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Sql } from 'postgres';
import { batchedPerClient } from '../../db/batchedPerClient.js';
import type { Deps } from '../../deps.js';
import { hashToken, newSecret } from './tokens.js';

export type ApiKeyPrincipal = {
  kind: 'apiKey';
  apiKeyId: string;
  tenant: { id: string; name: string };
};

export type ApiKeyView = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null };

const KEY_PREFIX = 'hk_';
/** Last-used times are written at most this often, so a busy key doesn't write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiKey(
  deps: Deps,
  scope: { tenantId: string; userId: string | null },
  input: { name: string },
): Promise<ApiKeyView & { key: string }> {
  const key = `${KEY_PREFIX}${newSecret()}`;
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  const [row] = await deps.db
    .insert(apiKeys)
    .values({ tenantId: scope.tenantId, createdBy: scope.userId, name: input.name.trim(), prefix, keyHash: hashToken(key) })
    .returning();
  if (!row) throw new Error('api key insert returned no row');
  deps.logger.info({ tenantId: scope.tenantId, apiKeyId: row.id }, 'api key created');
  return { ...toView(row), key };
}

export async function listApiKeys(deps: Deps, tenantId: string): Promise<ApiKeyView[]> {
  const rows = await deps.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toView);
}

export async function revokeApiKey(deps: Deps, tenantId: string, id: string): Promise<void> {
  const revoked = await deps.db
    .update(apiKeys)
    .set({ revokedAt: deps.now() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (revoked.length === 0) throw new AppError('NOT_FOUND', 'No active API key with this id.');
  deps.logger.info({ tenantId, apiKeyId: id }, 'api key revoked');
}

/**
 * Resolves a bearer key; revoked and unknown keys resolve to null. Every
 * API call passes here, so calls made at the same moment share one
 * statement (db/batchedPerClient.ts), which also writes last_used_at, at most
 * once per LAST_USED_RESOLUTION_MS, so a busy key doesn't write on every request.
 */
export async function findApiKey(deps: Deps, key: string): Promise<ApiKeyPrincipal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  return findKeys(deps.sql, hashToken(key));
}

const findKeys = batchedPerClient(
  async (sql: Sql, hashes: string[]): Promise<(ApiKeyPrincipal | null)[]> => {
    const rows = await sql<{ hash: string; id: string; tenantId: string; tenantName: string }[]>`
      with found as (
        select k.key_hash, k.id, k.last_used_at, t.id as tenant_id, t.name as tenant_name
        from api_keys k join tenants t on t.id = k.tenant_id
        where k.key_hash = any(${[...new Set(hashes)]}::text[]) and k.revoked_at is null
      ),
      -- A data-modifying WITH runs to completion even though nothing reads it.
      touched as (
        update api_keys set last_used_at = now()
        where id in (select id from found where last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_RESOLUTION_MS / 1000}))
      )
      select key_hash as hash, id, tenant_id as "tenantId", tenant_name as "tenantName" from found`;
    const byHash = new Map(rows.map((r) => [r.hash, { kind: 'apiKey' as const, apiKeyId: r.id, tenant: { id: r.tenantId, name: r.tenantName } }]));
    return hashes.map((hash) => byHash.get(hash) ?? null);
  },
  { maxBatch: 200, maxConcurrent: 1 },
);

function toView(row: typeof apiKeys.$inferSelect): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
