import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../env.js';
import type { Logger } from '../logging/logger.js';

export type Keyring = {
  /** The key new ciphertexts are made with. */
  active: { id: string; key: Buffer };
  /** Every key that may still decrypt, by id. */
  keys: ReadonlyMap<string, Buffer>;
};

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `ENCRYPTION_KEYS` (`id:base64,id:base64,…`). The first key encrypts;
 * all of them decrypt, so a rotation puts the new key first and keeps the old
 * one until `npm run keys:rotate` has re-encrypted everything.
 */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let active: Keyring['active'] | undefined;
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep) : '';
    if (!KEY_ID.test(id)) throw new ConfigError(`ENCRYPTION_KEYS: "${id || entry.slice(0, 8)}…" needs the form keyId:base64key, with a key id of letters, digits, _ or - (at most 32).`);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new ConfigError(`ENCRYPTION_KEYS: key "${id}" is ${key.length} bytes; AES-256 needs exactly 32 (generate one with: openssl rand -base64 32).`);
    if (keys.has(id)) throw new ConfigError(`ENCRYPTION_KEYS: key id "${id}" appears twice.`);
    keys.set(id, key);
    active ??= { id, key };
  }
  if (!active) throw new ConfigError('ENCRYPTION_KEYS is empty: give at least one keyId:base64key.');
  return { active, keys };
}

/**
 * The configured keyring, or in development a key generated once into
 * DATA_DIR (production refuses to boot without ENCRYPTION_KEYS, see env.ts).
 */
export async function loadKeyring(spec: string | undefined, dataDir: string, logger: Logger): Promise<Keyring> {
  if (spec) return parseKeyring(spec);
  const file = path.join(dataDir, 'encryption-keys');
  if (!existsSync(file)) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    logger.warn({ file }, 'generated a development encryption key; set ENCRYPTION_KEYS in production');
  }
  await chmod(file, 0o600);
  return parseKeyring((await readFile(file, 'utf8')).trim());
}
