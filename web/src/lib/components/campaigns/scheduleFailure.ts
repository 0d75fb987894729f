import { describeError } from '$lib/errors';
import { fixPathOf } from '$lib/fixLink';

export type ScheduleFieldErrors = { sendAt?: string; timeZone?: string };
export type ScheduleFailure = { fieldErrors: ScheduleFieldErrors; problem: { message: string; fixPath: string | null } | null };

/**
 * A refused `campaigns.schedule` (or send) as the dialogs show it: a bad date
 * or zone under its field, anything else (a failed check, a conflict) as one
 * message with a link to where it is fixed.
 */
export function scheduleFailure(cause: unknown): ScheduleFailure {
	const failure = describeError(cause);
	const { sendAt, timeZone } = failure.fieldErrors;
	if (sendAt || timeZone) return { fieldErrors: { ...(sendAt ? { sendAt } : {}), ...(timeZone ? { timeZone } : {}) }, problem: null };
	return { fieldErrors: {}, problem: { message: failure.message, fixPath: fixPathOf(failure.details) } };
}
