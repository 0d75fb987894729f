import { untrack } from 'svelte';
import { describeError } from '$lib/errors';

/**
 * The record a page shows for the id in its address (a contact, a list, a campaign). Create it
 * while the page initialises: it loads whenever `id()` changes, and forgets the previous record
 * at once so one record's page never shows another's data. A mistyped address (not an id at all)
 * is as `missing` as a deleted record.
 */
export class RecordById<T> {
	value = $state<T | null>(null);
	missing = $state(false);
	/** Why loading failed, in words, when it did for another reason than a missing record. */
	error = $state<string | null>(null);
	loading = $state(false);

	#id: () => string;
	#fetch: (id: string) => Promise<T>;

	constructor(id: () => string, fetch: (id: string) => Promise<T>) {
		this.#id = id;
		this.#fetch = fetch;
		$effect(() => {
			const which = id();
			untrack(() => {
				this.value = null;
				void this.load(which);
			});
		});
	}

	/**
	 * Loads (again). `quiet`: a reread after a change the page already shows; a failure waits
	 * for the next one instead of replacing the page with an error.
	 */
	async load(which = this.#id(), quiet = false): Promise<void> {
		if (!quiet) {
			this.loading = true;
			this.error = null;
			this.missing = false;
		}
		try {
			const found = await this.#fetch(which);
			// The address may have moved on to another record meanwhile.
			if (which === this.#id()) this.value = found;
		} catch (cause) {
			const problem = describeError(cause);
			if (quiet) return;
			if (problem.code === 'NOT_FOUND' || problem.code === 'BAD_REQUEST') this.missing = true;
			else this.error = problem.message;
		} finally {
			if (!quiet) this.loading = false;
		}
	}
}
