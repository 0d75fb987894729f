import { describeError, type ProblemDetails } from './errors';
import { compact, focusFirstError, splitProblem, type FieldErrors } from './forms';

/** The form's fields in order: the name the server uses, and the id of its input. */
export type FormFields = ReadonlyArray<readonly [field: string, inputId: string]>;

interface SubmitOptions {
	/** The checks made before anything is sent; a message per field that fails. */
	check?: () => Record<string, string | undefined>;
	/** Field errors for an answer this form reads its own way (e.g. CONFLICT on the email); else undefined. */
	onProblem?: (problem: ProblemDetails) => FieldErrors | undefined;
}

/** For `onProblem`: CONFLICT means this field's value is taken (an address, a name). */
export function conflictOn(field: string): (problem: ProblemDetails) => FieldErrors | undefined {
	return (problem) => (problem.code === 'CONFLICT' ? { [field]: problem.message } : undefined);
}

/**
 * A form that sends to Herald: busy while it sends, a message beside each field the checks or
 * the server complained about, one above the form for the rest, and the focus on the first
 * field with a problem. Create it while a component initialises.
 */
export class FormState {
	busy = $state(false);
	fieldErrors = $state<FieldErrors>({});
	formError = $state<string | null>(null);
	/** The server's last refusal, for its code (e.g. TOO_MANY_REQUESTS) and details (e.g. a fix link). */
	problem = $state<ProblemDetails | null>(null);

	readonly #fields: FormFields;

	constructor(fields: FormFields) {
		this.#fields = fields;
	}

	/** Checks, then runs `send`; true once it went through. */
	async submit(send: () => Promise<unknown>, { check, onProblem }: SubmitOptions = {}): Promise<boolean> {
		this.clear();
		this.fieldErrors = check ? compact(check()) : {};
		if (Object.keys(this.fieldErrors).length > 0) {
			await focusFirstError(this.fieldErrors, this.#fields);
			return false;
		}
		this.busy = true;
		try {
			await send();
			return true;
		} catch (cause) {
			const problem = describeError(cause);
			this.problem = problem;
			const own = onProblem?.(problem);
			const split = own ? { fieldErrors: own, formError: null } : splitProblem(problem, this.#fields.map(([field]) => field));
			this.fieldErrors = split.fieldErrors;
			this.formError = split.formError;
			await focusFirstError(this.fieldErrors, this.#fields);
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** Forgets every message, e.g. when a dialog opens again. */
	clear(): void {
		this.fieldErrors = {};
		this.formError = null;
		this.problem = null;
	}
}
