import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.js';

/**
 * Unsubscribe links carry who they are for, signed: `<keyId>.<payload>.<mac>`
 * (base64url). The MAC key is derived from the encryption keyring (HKDF with
 * its own label), so links verify without a database read and keep working
 * after a key rotation as long as the old key stays in the ring.
 */
export type UnsubscribeClaims = { tenantId: string; contactId: string; campaignId: string | null };

const LABEL = 'herald unsubscribe token v1';

/** Derived once per keyring key (a campaign signs one token per recipient); weak, so keys dropped from a ring are not kept. */
const derivedKeys = new WeakMap<Buffer, Buffer>();

function macKey(key: Buffer): Buffer {
  let derived = derivedKeys.get(key);
  if (!derived) {
    derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), LABEL, 32));
    derivedKeys.set(key, derived);
  }
  return derived;
}

function mac(key: Buffer, keyId: string, payload: string): Buffer {
  return createHmac('sha256', macKey(key)).update(`${keyId}.${payload}`).digest();
}

export function signUnsubscribeToken(keyring: Keyring, claims: UnsubscribeClaims): string {
  const payload = Buffer.from(JSON.stringify([claims.tenantId, claims.contactId, claims.campaignId]), 'utf8').toString('base64url');
  return `${keyring.active.id}.${payload}.${mac(keyring.active.key, keyring.active.id, payload).toString('base64url')}`;
}

/** The claims of a genuine token, or null for anything forged, altered or malformed. */
export function verifyUnsubscribeToken(keyring: Keyring, token: string): UnsubscribeClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [keyId, payload, signature] = parts as [string, string, string];
  const key = keyring.keys.get(keyId);
  if (!key) return null;
  const expected = mac(key, keyId, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 3) return null;
    const [tenantId, contactId, campaignId] = decoded as unknown[];
    if (typeof tenantId !== 'string' || typeof contactId !== 'string' || (campaignId !== null && typeof campaignId !== 'string')) return null;
    return { tenantId, contactId, campaignId };
  } catch {
    return null;
  }
}
