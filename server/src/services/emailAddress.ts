import { z } from 'zod';

/** Addresses are compared and stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = z.regexes.email;

/** The same rule as the email fields of every form (zod's), usable in a million-row loop. */
export function isValidEmail(normalized: string): boolean {
  return normalized.length <= 254 && EMAIL.test(normalized);
}
