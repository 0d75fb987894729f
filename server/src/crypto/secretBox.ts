import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * Where a ciphertext belongs. It is bound in as GCM associated data, so a
 * value copied into another tenant's row, another table or another column
 * no longer decrypts.
 */
export type SecretContext = { tenantId: string; table: string; field: string };

const VERSION = 'v1';
const NONCE_BYTES = 12; // 96-bit, fresh for every encryption
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

function associatedData(ctx: SecretContext): Buffer {
  return Buffer.from(`herald:${VERSION}:${ctx.tenantId}:${ctx.table}:${ctx.field}`, 'utf8');
}

/** AES-256-GCM → `v1.<keyId>.<nonce>.<ciphertext>.<tag>`, each part base64url. */
export function encryptSecret(keyring: Keyring, ctx: SecretContext, plaintext: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.active.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(ctx));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyring.active.id, nonce, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptSecret(keyring: Keyring, ctx: SecretContext, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('Not a Herald v1 ciphertext.');
  const [, keyId, nonceB64, ciphertextB64, tagB64] = parts as [string, string, string, string, string];
  const key = keyring.keys.get(keyId);
  if (!key) throw new DecryptionError(`Encrypted with key "${keyId}", which is not in ENCRYPTION_KEYS. Add it back to decrypt.`);
  const nonce = Buffer.from(nonceB64, 'base64url');
  const tag = Buffer.from(tagB64, 'base64url');
  // Node accepts shorter tags unless told otherwise; a truncated tag must not pass.
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError('Malformed ciphertext.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(ctx));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertextB64, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('Ciphertext failed authentication: it was altered, or belongs to another tenant, table or field.');
  }
}

/** The key id a ciphertext was made with (for rotation). */
export function keyIdOf(sealed: string): string | undefined {
  return sealed.split('.')[1];
}
