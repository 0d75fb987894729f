import { isTRPCError } from './trpc';

export interface ProblemDetails {
	/** A sentence a person can act on. */
	message: string;
	/** tRPC error code such as UNAUTHORIZED or TOO_MANY_REQUESTS, when the server answered. */
	code: string | null;
	/** Field name → message, from the server's input validation. */
	fieldErrors: Record<string, string>;
	/** Extra facts from the server, e.g. `{ awsErrorCode, action }` or `{ verifiedIdentities }`. */
	details: Record<string, unknown> | null;
}

const UNREACHABLE = "Can't reach Herald right now. Check your connection and try again.";
const UNEXPECTED = 'Something went wrong on our side. Please try again in a moment.';

function readFieldErrors(data: unknown): Record<string, string> {
	if (typeof data !== 'object' || data === null || !('fieldErrors' in data)) return {};
	const raw = data.fieldErrors;
	if (typeof raw !== 'object' || raw === null) return {};
	const out: Record<string, string> = {};
	for (const [field, message] of Object.entries(raw)) {
		if (typeof message === 'string' && message) out[field] = message;
	}
	return out;
}

function readDetails(data: unknown): Record<string, unknown> | null {
	if (typeof data !== 'object' || data === null || !('details' in data)) return null;
	const raw = data.details;
	return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
		? (raw as Record<string, unknown>)
		: null;
}

function readCode(data: unknown): string | null {
	if (typeof data !== 'object' || data === null || !('code' in data)) return null;
	return typeof data.code === 'string' ? data.code : null;
}

/** Turns anything a tRPC call can throw into words for the person at the screen. */
export function describeError(cause: unknown): ProblemDetails {
	if (!isTRPCError(cause)) return { message: UNEXPECTED, code: null, fieldErrors: {}, details: null };

	const code = readCode(cause.data);
	const fieldErrors = readFieldErrors(cause.data);
	const details = readDetails(cause.data);
	// No code means no tRPC response reached us: network down, server stopped, proxy error.
	if (!code) return { message: UNREACHABLE, code: null, fieldErrors, details };
	if (code === 'INTERNAL_SERVER_ERROR') return { message: UNEXPECTED, code, fieldErrors, details: null };
	return { message: cause.message || UNEXPECTED, code, fieldErrors, details };
}
