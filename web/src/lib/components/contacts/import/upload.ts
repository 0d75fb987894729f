/** What POST /api/contacts/imports answers once the file is stored. */
export interface UploadedCsv {
	id: string;
	fileName: string;
	bytes: number;
	columns: string[];
	hasHeader: boolean;
	delimiter: string;
	/** The first data rows, one cell per column. */
	preview: string[][];
	suggestedMapping: {
		email: string | null;
		firstName: string | null;
		lastName: string | null;
		attributes: Record<string, string>;
	};
}

/** The server's limit; checked here too so nobody waits for a doomed upload. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

export class UploadError extends Error {
	override name = 'UploadError';
	constructor(
		message: string,
		/** UNAUTHORIZED, ABORTED, or the server's error code. */
		readonly code: string | null
	) {
		super(message);
	}
}

function serverMessage(body: string): { message: string; code: string | null } | null {
	try {
		const parsed: unknown = JSON.parse(body);
		if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return null;
		const error = parsed.error as { message?: unknown; code?: unknown };
		if (typeof error.message !== 'string') return null;
		return { message: error.message, code: typeof error.code === 'string' ? error.code : null };
	} catch {
		return null;
	}
}

/**
 * Sends the file as the raw request body (same origin, so the session cookie goes along).
 * XMLHttpRequest rather than fetch: only it reports upload progress.
 */
export function uploadCsv(
	file: File,
	onProgress: (sent: number, total: number) => void,
	signal?: AbortSignal
): Promise<UploadedCsv> {
	return new Promise((resolvePromise, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `/api/contacts/imports?fileName=${encodeURIComponent(file.name)}`);
		xhr.setRequestHeader('content-type', file.type || 'text/csv');
		xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
		xhr.onload = () => {
			if (xhr.status === 200) {
				try {
					resolvePromise(JSON.parse(xhr.responseText) as UploadedCsv);
				} catch {
					reject(new UploadError('Herald sent an answer this page could not read. Please try again.', null));
				}
				return;
			}
			const known = serverMessage(xhr.responseText);
			if (xhr.status === 401) return reject(new UploadError(known?.message ?? 'Please sign in again.', 'UNAUTHORIZED'));
			if (xhr.status === 413)
				return reject(new UploadError(known?.message ?? 'The file is larger than 256 MB. Split it into smaller files.', 'PAYLOAD_TOO_LARGE'));
			if (known && xhr.status < 500) return reject(new UploadError(known.message, known.code));
			reject(new UploadError('Something went wrong on our side while receiving the file. Please try again in a moment.', null));
		};
		xhr.onerror = () =>
			reject(new UploadError("Can't reach Herald right now. Check your connection and try again.", null));
		xhr.onabort = () => reject(new UploadError('Upload cancelled.', 'ABORTED'));
		signal?.addEventListener('abort', () => xhr.abort(), { once: true });
		xhr.send(file);
	});
}
