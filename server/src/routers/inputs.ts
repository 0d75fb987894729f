import { z } from 'zod';

export const emailInput = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .max(254, 'An email address has at most 254 characters.')
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.com.' }));

/** Bounds stop a megabyte "password" from costing an argon2 run. */
export const newPasswordInput = z
  .string({ error: 'Choose a password.' })
  .min(10, 'Use at least 10 characters for your password.')
  .max(200, 'A password has at most 200 characters.');

export const passwordInput = z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(200, 'A password has at most 200 characters.');

export const nameInput = (what: string, max = 100) =>
  z
    .string({ error: `Enter a ${what}.` })
    .trim()
    .min(1, `Enter a ${what}.`)
    .max(max, `A ${what} has at most ${max} characters.`);

export const idInput = z.uuid({ error: 'Expected an id (a UUID).' });
