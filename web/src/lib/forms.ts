import { tick } from 'svelte';
import type { ProblemDetails } from './errors';

export type FieldErrors = Record<string, string>;

/** Drops fields without a message so `Object.keys(errors).length` means "has errors". */
export function compact(errors: Record<string, string | undefined>): FieldErrors {
	const out: FieldErrors = {};
	for (const [field, message] of Object.entries(errors)) if (message) out[field] = message;
	return out;
}

/**
 * Server field errors for fields on this form go inline, beside their input;
 * everything else becomes one message above the form.
 */
export function splitProblem(
	problem: ProblemDetails,
	fields: readonly string[]
): { fieldErrors: FieldErrors; formError: string | null } {
	const fieldErrors: FieldErrors = {};
	const stray: string[] = [];
	for (const [field, message] of Object.entries(problem.fieldErrors)) {
		if (fields.includes(field)) fieldErrors[field] = message;
		else stray.push(message);
	}
	if (Object.keys(fieldErrors).length === 0) {
		return { fieldErrors, formError: stray[0] ?? problem.message };
	}
	return { fieldErrors, formError: stray[0] ?? null };
}

/** Moves focus to the first field (in form order) that has an error, once the DOM shows it. */
export async function focusFirstError(
	fieldErrors: FieldErrors,
	order: ReadonlyArray<readonly [field: string, inputId: string]>
): Promise<void> {
	await tick();
	const first = order.find(([field]) => field in fieldErrors);
	if (first) document.getElementById(first[1])?.focus();
}
