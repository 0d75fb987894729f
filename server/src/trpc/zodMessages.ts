import type { ZodError } from 'zod';

/** Turns zod issues into one readable sentence plus a field → message map for forms. */
export function describeZodError(error: ZodError): { message: string; fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'input';
    fieldErrors[field] ??= issue.message;
  }
  const message = Object.entries(fieldErrors)
    .map(([field, msg]) => (field === 'input' ? msg : `${field}: ${msg}`))
    .join('; ');
  return { message: message || 'Invalid input.', fieldErrors };
}
