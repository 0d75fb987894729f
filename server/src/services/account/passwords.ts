import { hash, verify } from '@node-rs/argon2';

// argon2id with the library defaults (m=19 MiB, t=2, p=1): OWASP's recommended minimum.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, so that an unknown email
 * cannot be told apart from a wrong password by timing.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hash('herald-dummy-password-for-timing');
  await verify(await dummyHash, password).catch(() => false);
}
