import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../env.js';
import { parseKeyring } from './keyring.js';
import { DecryptionError, decryptSecret, encryptSecret, keyIdOf } from './secretBox.js';

const key = () => randomBytes(32).toString('base64');
const ring = parseKeyring(`k1:${key()}`);
const ctx = { tenantId: '7f1d7f5e-0000-4000-8000-000000000001', table: 'tenant_channel_settings', field: 'aws_secret_access_key' };
const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('secret box', () => {
  it('round-trips and names its key id in a versioned format', () => {
    const sealed = encryptSecret(ring, ctx, secret);
    expect(sealed).toMatch(/^v1\.k1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain(secret);
    expect(keyIdOf(sealed)).toBe('k1');
    expect(decryptSecret(ring, ctx, sealed)).toBe(secret);
  });

  it('uses a fresh nonce every time', () => {
    expect(encryptSecret(ring, ctx, secret)).not.toBe(encryptSecret(ring, ctx, secret));
  });

  it('fails when any byte of nonce, ciphertext or tag is flipped', () => {
    const sealed = encryptSecret(ring, ctx, secret);
    const [v, id, ...parts] = sealed.split('.');
    for (let p = 0; p < parts.length; p++) {
      const bytes = Buffer.from(parts[p]!, 'base64url');
      for (let i = 0; i < bytes.length; i++) {
        const flipped = Buffer.from(bytes);
        flipped[i] = flipped[i]! ^ 0x01;
        const altered = [...parts];
        altered[p] = flipped.toString('base64url');
        expect(() => decryptSecret(ring, ctx, [v, id, ...altered].join('.'))).toThrow(DecryptionError);
      }
    }
  });

  it('refuses a truncated tag', () => {
    const parts = encryptSecret(ring, ctx, secret).split('.');
    parts[4] = Buffer.from(parts[4]!, 'base64url').subarray(0, 12).toString('base64url');
    expect(() => decryptSecret(ring, ctx, parts.join('.'))).toThrow('Malformed ciphertext');
  });

  it('a ciphertext moved to another tenant, table or field does not decrypt', () => {
    const sealed = encryptSecret(ring, ctx, secret);
    for (const other of [
      { ...ctx, tenantId: '7f1d7f5e-0000-4000-8000-000000000002' },
      { ...ctx, table: 'other_table' },
      { ...ctx, field: 'aws_access_key_id' },
    ]) {
      expect(() => decryptSecret(ring, other, sealed)).toThrow('belongs to another tenant, table or field');
    }
  });

  it('an unknown key id gives a clear error', () => {
    const sealed = encryptSecret(parseKeyring(`old:${key()}`), ctx, secret);
    expect(() => decryptSecret(ring, ctx, sealed)).toThrow('Encrypted with key "old", which is not in ENCRYPTION_KEYS');
  });

  it('decrypts with any key of the ring and encrypts with the first', () => {
    const oldKey = key();
    const sealedOld = encryptSecret(parseKeyring(`old:${oldKey}`), ctx, secret);
    const rotated = parseKeyring(`new:${key()},old:${oldKey}`);
    expect(decryptSecret(rotated, ctx, sealedOld)).toBe(secret);
    expect(keyIdOf(encryptSecret(rotated, ctx, secret))).toBe('new');
  });
});

describe('keyring parsing', () => {
  it.each([
    ['k1:' + Buffer.alloc(16).toString('base64'), 'is 16 bytes; AES-256 needs exactly 32'],
    ['k1:' + Buffer.alloc(33).toString('base64'), 'is 33 bytes'],
    ['nokeyid', 'needs the form keyId:base64key'],
    [`a:${Buffer.alloc(32).toString('base64')},a:${Buffer.alloc(32).toString('base64')}`, 'appears twice'],
    [' , ', 'is empty'],
  ])('refuses %s', (spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(ConfigError);
    expect(() => parseKeyring(spec)).toThrow(message);
  });
});
