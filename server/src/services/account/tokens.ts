import { createHash, randomBytes } from 'node:crypto';

/** A random secret for cookies and API keys: 32 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored as SHA-256 digests. They are 256-bit random values, so a
 * fast hash is enough (no password-style stretching needed) and lookups stay
 * a single indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
