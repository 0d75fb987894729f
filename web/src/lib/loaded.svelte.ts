import { describeError, type ProblemDetails } from './errors';

/** What <LoadState> shows: something that loads a value, may fail, and can be asked again. */
export interface Loadable<T> {
	/** Null until the first answer. */
	readonly value: T | null;
	/** Why nothing can be shown, in words. */
	readonly error: string | null;
	/** Why a reread failed while a value stayed on screen (it may be a little old). */
	readonly stale?: string | null;
	readonly loading: boolean;
	retry(): unknown;
}

/**
 * A value a page or a panel fetches from Herald. `load()` asks (again); an answer that arrives
 * after a newer request started is dropped. A failure with nothing on screen is an `error`; a
 * failed reread keeps the value and says so in `stale`.
 */
export class Loaded<T> implements Loadable<T> {
	value = $state<T | null>(null);
	error = $state<string | null>(null);
	stale = $state<string | null>(null);
	loading = $state(false);

	readonly #fetch: () => Promise<T>;
	#request = 0;

	constructor(fetch: () => Promise<T>) {
		this.#fetch = fetch;
	}

	async load(): Promise<void> {
		const request = ++this.#request;
		this.loading = true;
		try {
			const value = await this.#fetch();
			if (request !== this.#request) return;
			this.value = value;
			this.error = null;
			this.stale = null;
		} catch (cause) {
			if (request === this.#request) this.failed(describeError(cause));
		} finally {
			if (request === this.#request) this.loading = false;
		}
	}

	retry(): Promise<void> {
		return this.load();
	}

	/** Shows `value` instead (null: nothing yet), e.g. one the page got from another call. */
	reset(value: T | null = null): void {
		this.#request++;
		this.value = value;
		this.error = null;
		this.stale = null;
		this.loading = false;
	}

	protected failed(problem: ProblemDetails): void {
		if (this.value === null) this.error = problem.message;
		else this.stale = problem.message;
	}
}
