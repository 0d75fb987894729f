import { createHash } from 'node:crypto';
import type { EmailRequest } from './types.js';

/** A key answers retries this long; after it, the same key starts a new email. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/** Object keys in a fixed order, so the same request always hashes the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** What "the same request" means for a key: everything validated except the key itself. */
export function requestHash(request: EmailRequest): string {
  const { idempotencyKey: _key, ...rest } = request;
  return createHash('sha256').update(JSON.stringify(canonical(rest))).digest('base64url');
}
